using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CityTwin.LoadTests;

/// <summary>
/// A real mosquitto broker on a loopback port with a generated configuration, for the MQTT tests and the ingest
/// benchmark. Restartable on the same port (a broker restart is what the bridge must survive).
/// </summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; }
    public string Directory { get; }

    private Mosquitto(int port, string directory) => (Port, Directory) = (port, directory);

    /// <summary>The mosquitto binary: on PATH or where Debian installs it; null when not installed.</summary>
    public static string? Binary { get; } = FindBinary();

    public static async Task<Mosquitto> StartAsync()
    {
        if (Binary is null) throw new InvalidOperationException("mosquitto is not installed (apt-get install -y mosquitto)");
        var broker = new Mosquitto(ChildProcess.FreePort(), System.IO.Directory.CreateTempSubdirectory("citytwin-mosquitto-").FullName);
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>
    /// The broker's configuration. QoS 1 messages for a subscriber are not capped at mosquitto's defaults (20 in
    /// flight, 1,000 queued per client: a busy bridge would lose the rest); the bridge's receive maximum bounds them.
    /// </summary>
    public static string Config(int port, string directory) => $"""
        listener {port} 127.0.0.1
        allow_anonymous true
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
        await File.WriteAllTextAsync(config, Config(Port, Directory));
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
