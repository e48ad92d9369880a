using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CityTwin.LoadTests;

/// <summary>A CityTwin process (silo or API) started from its built dll, stopped gracefully on dispose.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    public string Url { get; }
    public int Pid => _process.Id;
    /// <summary>Where the process's standard output and error go.</summary>
    public string LogPath { get; }

    private ChildProcess(Process process, string url, string logPath)
    {
        _process = process;
        Url = url;
        LogPath = logPath;
    }

    public static async Task<ChildProcess> StartAsync(string dll, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build first (load-tests/run.sh does): {dll}");
        var url = $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.ArgumentList.Add($"--urls={url}");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(info)!;
        var log = Path.Combine(Path.GetTempPath(), $"citytwin-{Path.GetFileNameWithoutExtension(dll)}-{process.Id}.log");
        _ = PumpAsync(process.StandardOutput, log);
        _ = PumpAsync(process.StandardError, log);

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{dll} exited with {process.ExitCode}; see {log}");
            try
            {
                if ((await http.GetAsync($"{url}/health")).IsSuccessStatusCode) return new ChildProcess(process, url, log);
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{dll} was not healthy in time; see {log}");
    }

    /// <summary>Resident set size from /proc, in bytes.</summary>
    public long WorkingSetBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("no VmRSS");
    }

    public bool HasExited => _process.HasExited;

    /// <summary>CPU time the process has used so far (user and system).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// SIGKILL, no goodbye: what a crash or an OOM kill looks like to the cluster. The process alone (it has no
    /// children): .NET's <c>Kill(entireProcessTree: true)</c> sends SIGSTOP first and SIGKILL only after walking every
    /// process on the machine for children, so the silo sat frozen with its sockets open — 0.1–0.2 s on a quiet machine,
    /// and kill to exit took 1.7–5 s under a load of 20 — a hang followed by a crash rather than a crash. Returns once
    /// the process has exited. It waits without holding a thread: a synchronous wait held one of the benchmark's two
    /// thread-pool workers for the 30–90 ms the kernel takes to tear the process down, and the benchmark's own reads
    /// sent in those milliseconds waited for the other one (they were the failover's slowest, through either silo).
    /// </summary>
    /// <param name="watch">Where to write how the process's threads were doing every 10 ms until it was gone.</param>
    public async Task KillAsync(Action<string>? watch = null)
    {
        var threads = watch is null ? null : Threads();
        var started = Stopwatch.GetTimestamp();
        _process.Kill();
        if (watch is not null)
        {
            watch($"before the SIGKILL: {threads}");
            var machine = MachineCpu();
            for (string? now; (now = Threads(kernel: true)) is not null && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30); await Task.Delay(10))
            {
                var (busy, total) = MachineCpu();
                watch($"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms: machine busy {(total == machine.Total ? 0 : 100.0 * (busy - machine.Busy) / (total - machine.Total)):0} %, {now}");
                machine = (busy, total);
            }
        }
        await _process.WaitForExitAsync();
        watch?.Invoke($"{Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms: reaped");
    }

    /// <summary>
    /// The process's threads by state (R running, S sleeping, D uninterruptible, Z exited…) and its resident memory, from
    /// /proc; with <paramref name="kernel"/>, where in the kernel each thread is (its innermost frames, readable by root):
    /// a killed process's last thread tearing down its memory and files, while its sockets are still open.
    /// </summary>
    private string? Threads(bool kernel = false)
    {
        try
        {
            var states = Directory.GetDirectories($"/proc/{Pid}/task")
                .Select(t => { try { var stat = File.ReadAllText(Path.Combine(t, "stat")); return stat[(stat.LastIndexOf(')') + 2)..][0]; } catch (IOException) { return '?'; } })
                .GroupBy(c => c).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}");
            var rss = File.ReadLines($"/proc/{Pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:"))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            var stacks = !kernel ? [] : Directory.GetDirectories($"/proc/{Pid}/task")
                .Select(t => { try { return string.Join(" < ", File.ReadLines(Path.Combine(t, "stack")).Take(4).Select(l => l.Split(' ')[^1])); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; } })
                .Where(s => s.Length > 0).GroupBy(s => s).Select(g => $"{g.Count()}× {g.Key}");
            return $"threads {string.Join(" ", states)}, RSS {rss} kB{string.Concat(stacks.Select(s => $"; {s}"))}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The machine's busy and total CPU time so far (/proc/stat, in clock ticks): everything but idle and iowait is busy.</summary>
    private static (long Busy, long Total) MachineCpu()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        return (ticks.Sum() - ticks[3] - ticks[4], ticks.Sum());
    }

    public async ValueTask DisposeAsync()
    {
        if (_process.HasExited) return;
        // SIGTERM: the host stops gracefully (grains deactivate and flush).
        Process.Start("kill", ["-TERM", Pid.ToString()])!.WaitForExit();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task PumpAsync(StreamReader reader, string path)
    {
        await using var file = new StreamWriter(path, append: true) { AutoFlush = true };
        while (await reader.ReadLineAsync() is { } line) await file.WriteLineAsync(line);
    }
}
