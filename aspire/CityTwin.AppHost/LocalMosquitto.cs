using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

/// <summary>
/// mosquitto — the machine's binary as an executable resource — on a free loopback port, with a configuration written
/// under &lt;data&gt;/mosquitto at every start: persistence on (the API bridge's QoS 1 session survives a broker restart),
/// no cap of the broker's defaults (20 in flight, 1,000 queued) on what a subscriber may be sent, and no anonymous
/// client: the bridge signs in as <see cref="MosquittoAuth.BridgeUser"/>, each configured device as itself.
/// </summary>
internal static class LocalMosquitto
{
    /// <returns>The broker, its port, and the bridge's password (a secret parameter, for the API's environment).</returns>
    public static (IResourceBuilder<ExecutableResource> Broker, int Port, IResourceBuilder<ParameterResource> BridgePassword) AddLocalMosquitto(
        this IDistributedApplicationBuilder builder, string binary, TwinSettings settings)
    {
        var root = Path.Combine(settings.DataDirectory, "mosquitto");
        Directory.CreateDirectory(root);
        var port = FreePort.Pick(settings.MqttPort);
        // New at every start rather than kept on disk: the broker and the bridge both get it from this start, so there
        // is no plaintext copy at rest and nothing to rotate. The bridge's session (subscription, queued QoS 1
        // messages) is the broker's by client id, not by password, so it survives the change.
        var password = MosquittoAuth.NewPassword();
        var auth = MosquittoAuth.Write(root, password,
            settings.MqttDevices.Select(d => (d.Key, d.Value.Password!, d.Value.District!)));
        var config = Path.Combine(root, "mosquitto.conf");
        File.WriteAllText(config, $"""
            listener {port} 127.0.0.1
            {auth}
            persistence true
            persistence_location {root}/
            max_inflight_messages 0
            max_queued_messages 1000000
            max_queued_bytes 0
            {(Environment.UserName == "root" ? "user root" : "")}
            log_dest stdout
            """);
        var broker = builder.AddExecutable("mosquitto", binary, root, "-c", config)
            .WithEndpoint(port: port, targetPort: port, name: "mqtt", scheme: "tcp", isProxied: false);
        // A secret parameter: the dashboard masks it in the API's environment.
        var bridgePassword = builder.AddParameter("mqtt-bridge-password", () => password, secret: true);
        return (broker, port, bridgePassword);
    }
}
