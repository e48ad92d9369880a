using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

/// <summary>
/// mosquitto — the machine's binary as an executable resource — on a free loopback port, with a configuration written
/// under &lt;data&gt;/mosquitto at every start: persistence on (the API bridge's QoS 1 session survives a broker restart),
/// and no cap of the broker's defaults (20 in flight, 1,000 queued) on what a subscriber may be sent.
/// </summary>
internal static class LocalMosquitto
{
    public static (IResourceBuilder<ExecutableResource> Broker, int Port) AddLocalMosquitto(
        this IDistributedApplicationBuilder builder, string binary, TwinSettings settings)
    {
        var root = Path.Combine(settings.DataDirectory, "mosquitto");
        Directory.CreateDirectory(root);
        var port = FreePort.Pick(settings.MqttPort);
        var config = Path.Combine(root, "mosquitto.conf");
        File.WriteAllText(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
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
        return (broker, port);
    }
}
