using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CityTwin.LoadTests;

/// <summary>
/// A real mosquitto broker on a loopback port with a generated configuration, for the MQTT tests and the ingest
/// benchmark. Restartable on the same port (a broker restart is what the bridge must survive). No anonymous
/// client, as the AppHost's broker (the same <see cref="MosquittoAuth"/> files): the bridge signs in with
/// <see cref="BridgeArguments"/>, a device with one of the accounts it was started with.
/// </summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; }
    public string Directory { get; }
    public IReadOnlyList<MqttAccount> Devices { get; }
    public string BridgePassword { get; } = MosquittoAuth.NewPassword();

    private Mosquitto(int port, string directory, IReadOnlyList<MqttAccount> devices) => (Port, Directory, Devices) = (port, directory, devices);

    /// <summary>The API's settings for a bridge to this broker, signed in as <see cref="MosquittoAuth.BridgeUser"/>.</summary>
    public string[] BridgeArguments =>
        ["--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={Port}", $"--Mqtt:Username={MosquittoAuth.BridgeUser}", $"--Mqtt:Password={BridgePassword}"];

    /// <summary>The mosquitto binary: on PATH or where Debian installs it; null when not installed.</summary>
    public static string? Binary { get; } = FindBinary();

    /// <param name="devices">Device accounts; a district of <c>+</c> may publish to every district (the benchmark's publishers).</param>
    public static async Task<Mosquitto> StartAsync(params MqttAccount[] devices)
    {
        if (Binary is null) throw new InvalidOperationException("mosquitto is not installed (apt-get install -y mosquitto)");
        var broker = new Mosquitto(ChildProcess.FreePort(), System.IO.Directory.CreateTempSubdirectory("citytwin-mosquitto-").FullName, devices);
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>
    /// The broker's configuration. QoS 1 messages for a subscriber are not capped at mosquitto's defaults (20 in
    /// flight, 1,000 queued per client: a busy bridge would lose the rest); the bridge's receive maximum bounds them.
    /// </summary>
    public static string Config(int port, string directory, string auth) => $"""
        listener {port} 127.0.0.1
        {auth}
        persistence true
        persistence_location {directory}/
        max_inflight_messages 0
        max_queued_messages 1000000
        max_queued_bytes 0
        {(Environment.UserName == "root" ? "user root" : "")}
        log_dest stderr
        log_type error
        log_type warning
        """;

    public async Task StartAgainAsync()
    {
        var config = Path.Combine(Directory, "mosquitto.conf");
        var auth = MosquittoAuth.Write(Directory, BridgePassword, Devices.Select(d => (d.User, d.Password, d.District)));
        await File.WriteAllTextAsync(config, Config(Port, Directory, auth));
        var info = new ProcessStartInfo(Binary!, ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        _process = Process.Start(info)!;
        _ = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} (config {config})");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"mosquitto did not listen on {Port}");
    }

    /// <summary>SIGKILL: the broker vanishes without a goodbye, as a crashed or rebooted one does.</summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    private static string? FindBinary()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in path.Append("/usr/sbin"))
            if (File.Exists(Path.Combine(dir, "mosquitto"))) return Path.Combine(dir, "mosquitto");
        return null;
    }
}

/// <summary>A device's account on the test broker: it may publish only under <c>city/&lt;district&gt;/</c>.</summary>
public sealed record MqttAccount(string User, string Password, string District);
