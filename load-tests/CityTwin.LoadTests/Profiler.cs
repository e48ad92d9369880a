using System.Diagnostics;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing;

namespace CityTwin.LoadTests;

/// <summary>
/// Where the CPU goes while a benchmark window runs: dotnet-trace samples every thread of the silo and the API
/// (~100 Hz, the sampled thread-time profile, plus the runtime's GC events); samples of threads running managed code
/// are sorted into the ingest path's stages by what their stack names, and GC is the
/// share of the window spent in blocking collections (gen 0/1 and non-concurrent gen 2; a background gen 2 runs beside the program).
/// </summary>
public static class Profiler
{
    /// <summary>Stages in order: a sample counts for the first one that any frame of its stack names (storage's own serialising is storage).</summary>
    private static readonly (string Stage, string[] Frames)[] Stages =
    [
        ("storage", ["CityTwin.Storage.", "AssetStore.Write", "AdoNetGrainStorage", "RelationalStorage", "Microsoft.Data.Sqlite", "Npgsql"]),
        ("parse", ["TelemetryBatchParser", "System.Text.Json"]),
        ("change events (read model, feed, alarms)", ["ChangeCoalescer", "StreamPublishing", "Orleans.Streams", "Orleans.Providers.Streams", "DistrictGrain", "FeedGrain", "AlarmGrain", "AlarmBoardGrain", "DetectionsGrain", "AssetGrain.PublishAsync"]),
        ("rules", ["CityTwin.Domain.Assets.", "CityTwin.Domain.Cascades.", "CityTwin.Domain.Alarms.", "CityTwin.Domain.Queries.AssetAttributes", "StateDiff"]),
        ("routing", ["TelemetryRouter", "ReadingGroups"]),
        ("serialization (messages)", ["Orleans.Serialization."]),
        ("grain turns (asset grain, Orleans messaging and scheduling)", ["CityTwin.Grains.", "Orleans."]),
        ("HTTP (Kestrel, ASP.NET Core)", ["Microsoft.AspNetCore.", "System.Net."]),
    ];

    public static async Task<List<string>> StartAsync(string directory, string name, TimeSpan window, Twin twin)
    {
        Directory.CreateDirectory(directory);
        // A second for the load to ramp up, and stop a second before the window closes.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var duration = window - TimeSpan.FromSeconds(2);
        var summaries = await Task.WhenAll(CollectAsync(directory, $"{name}-silo", twin.Silo.Pid, duration), CollectAsync(directory, $"{name}-api", twin.Api.Pid, duration));
        return [.. summaries.SelectMany(s => s)];
    }

    private static async Task<List<string>> CollectAsync(string directory, string name, int pid, TimeSpan duration)
    {
        var trace = Path.Combine(directory, $"{name}.nettrace");
        await RunAsync("collect", "-p", pid.ToString(), "--profile", "dotnet-sampled-thread-time,dotnet-common", "--duration", duration.ToString(@"hh\:mm\:ss"), "-o", trace);
        var rows = Summarize(trace, name);
        await File.WriteAllLinesAsync(Path.Combine(directory, $"{name}-summary.md"), rows);
        Console.WriteLine($"profile: {trace}");
        rows.ForEach(Console.WriteLine);
        return rows;
    }

    /// <summary>One row a stage: its share of the process's CPU samples, and GC pauses as a share of the window.</summary>
    public static List<string> Summarize(string trace, string name)
    {
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace));
        var counts = new Dictionary<string, int>();
        var (samples, pausedMs, longestMs, longPauses) = (0, 0.0, 0.0, 0);
        var byGeneration = new int[3];
        double? gcStart = null;
        foreach (var e in log.Events)
        {
            switch (e.EventName)
            {
                case "Thread/Sample" when IsCpuSample(e):
                    samples++;
                    var stage = StageOf(e.CallStack());
                    counts[stage] = counts.GetValueOrDefault(stage) + 1;
                    break;
                case "GC/Start" when e.PayloadByName("Depth") is { } depth:
                    byGeneration[Math.Clamp(Convert.ToInt32(depth), 0, 2)]++;
                    // A background gen-2 collection runs beside the program; every other kind stops it until GC/Stop.
                    gcStart = e.PayloadByName("Type")?.ToString() == "BackgroundGC" ? null : e.TimeStampRelativeMSec;
                    break;
                case "GC/Stop" when gcStart is { } began:
                    pausedMs += e.TimeStampRelativeMSec - began;
                    longestMs = Math.Max(longestMs, e.TimeStampRelativeMSec - began);
                    if (e.TimeStampRelativeMSec - began >= 10) longPauses++;
                    gcStart = null;
                    break;
            }
        }
        var window = log.SessionDuration.TotalMilliseconds;
        List<string> rows = [$"| {name}: stage | share of CPU samples ({samples:N0} samples of threads in managed code) |", "|---|---|"];
        rows.AddRange(counts.OrderByDescending(c => c.Value).Select(c => $"| {c.Key} | {100.0 * c.Value / Math.Max(1, samples):0.0} % |"));
        rows.Add($"| GC: blocking collections (the program stopped) | {100 * pausedMs / window:0.0} % of the {window / 1000:0.0} s window; longest pause {longestMs:0} ms, {longPauses} of 10 ms or more; collections of gen 0/1/2: {byGeneration[0]}/{byGeneration[1]}/{byGeneration[2]} |");
        return rows;
    }

    /// <summary>The methods most often on the stack (inclusive) and at its top (exclusive), as shares of the CPU samples: where a stage's time goes.</summary>
    public static List<string> Top(string trace, int count)
    {
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace));
        var (inclusive, exclusive, samples) = (new Dictionary<string, int>(), new Dictionary<string, int>(), 0);
        foreach (var e in log.Events)
        {
            if (e.EventName != "Thread/Sample" || !IsCpuSample(e)) continue;
            samples++;
            var seen = new HashSet<string>();
            var leaf = true;
            for (var frame = e.CallStack(); frame is not null; frame = frame.Caller)
            {
                var method = frame.CodeAddress.FullMethodName is { Length: > 0 } m ? m : $"?{frame.CodeAddress.ModuleName}";
                if (leaf) exclusive[method] = exclusive.GetValueOrDefault(method) + 1;
                leaf = false;
                if (seen.Add(method)) inclusive[method] = inclusive.GetValueOrDefault(method) + 1;
            }
        }
        string Row(KeyValuePair<string, int> m) => $"| {m.Key[..Math.Min(m.Key.Length, 140)]} | {100.0 * m.Value / Math.Max(1, samples):0.0} % |";
        return ["| inclusive | share |", "|---|---|", .. inclusive.OrderByDescending(m => m.Value).Take(count).Select(Row),
                "| exclusive | share |", "|---|---|", .. exclusive.OrderByDescending(m => m.Value).Take(count).Select(Row)];
    }

    /// <summary>
    /// The sampler samples every thread, blocked ones too, as "in managed code" when they block in a managed wait:
    /// those samples are not CPU (measured: 40–65 % of an API's samples were idle thread-pool workers).
    /// </summary>
    private static bool IsCpuSample(TraceEvent sample) =>
        sample.PayloadByName("Type") is { } type && Convert.ToInt32(type) == 2 && !IsWaiting(sample.CallStack()); // managed code, not blocked

    private static bool IsWaiting(TraceCallStack? stack) =>
        stack?.CodeAddress.FullMethodName is { } leaf && Waits.Any(w => leaf.Contains(w, StringComparison.Ordinal));

    private static readonly string[] Waits =
    [
        "LowLevelLifoSemaphore.Wait", "WaitHandle.Wait", "Monitor.Wait", "Monitor.Enter_Slowpath", "Thread.Sleep", "WorkerThreadStart",
        "PollGCWorker", "WaitForSignal", "LowLevelMonitor.Wait", "SpinWait", "Thread.Join",
    ];

    /// <summary>
    /// What is allocated, and where: the runtime's allocation ticks (one per ~100 KB allocated, naming the type of the
    /// object that crossed it; a trace taken with <c>--profile gc-verbose</c>) summed by type, and by the first frame
    /// of the twin's or Orleans' code on the tick's stack.
    /// </summary>
    public static List<string> Allocations(string trace, int count)
    {
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace));
        var (byType, bySite, total) = (new Dictionary<string, double>(), new Dictionary<string, double>(), 0.0);
        foreach (var e in log.Events)
        {
            if (e.EventName != "GC/AllocationTick") continue;
            var bytes = Convert.ToDouble(e.PayloadByName("AllocationAmount64") ?? e.PayloadByName("AllocationAmount"));
            total += bytes;
            var type = e.PayloadByName("TypeName")?.ToString() ?? "?";
            byType[type] = byType.GetValueOrDefault(type) + bytes;
            string? site = null;
            for (var frame = e.CallStack(); frame is not null && site is null; frame = frame.Caller)
                if (frame.CodeAddress.FullMethodName is { Length: > 0 } m && (m.StartsWith("CityTwin.", StringComparison.Ordinal) || m.StartsWith("Orleans", StringComparison.Ordinal) || m.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)))
                    site = m;
            var key = $"{type} ← {site ?? "?"}";
            bySite[key] = bySite.GetValueOrDefault(key) + bytes;
        }
        var seconds = log.SessionDuration.TotalSeconds;
        string Row(KeyValuePair<string, double> a) => $"| {a.Key[..Math.Min(a.Key.Length, 180)]} | {a.Value / seconds / 1e6:0.0} MB/s | {100 * a.Value / Math.Max(1, total):0.0} % |";
        return [$"| allocated: {total / seconds / 1e6:0.0} MB/s over {seconds:0.0} s, by type | rate | share |", "|---|---|---|", .. byType.OrderByDescending(a => a.Value).Take(count).Select(Row),
                "| by type and allocating method | rate | share |", "|---|---|---|", .. bySite.OrderByDescending(a => a.Value).Take(count).Select(Row)];
    }

    /// <summary>Who calls <paramref name="method"/>: the nearest frames above it, grouped, as shares of the CPU samples.</summary>
    public static List<string> Callers(string trace, string method, int count, int depth = 4)
    {
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace));
        var (callers, samples) = (new Dictionary<string, int>(), 0);
        foreach (var e in log.Events)
        {
            if (e.EventName != "Thread/Sample" || !IsCpuSample(e)) continue;
            samples++;
            var frame = e.CallStack();
            while (frame is not null && !(frame.CodeAddress.FullMethodName ?? "").Contains(method, StringComparison.Ordinal)) frame = frame.Caller;
            if (frame is null) continue;
            var chain = new List<string>();
            for (var up = frame.Caller; up is not null && chain.Count < depth; up = up.Caller)
                if (up.CodeAddress.FullMethodName is { Length: > 0 } name && !name.StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal))
                    chain.Add(name[..Math.Min(name.Length, 90)]);
            var key = string.Join(" ← ", chain);
            callers[key] = callers.GetValueOrDefault(key) + 1;
        }
        return [$"| callers of {method} | share |", "|---|---|",
                .. callers.OrderByDescending(c => c.Value).Take(count).Select(c => $"| {c.Key} | {100.0 * c.Value / Math.Max(1, samples):0.0} % |")];
    }

    private static string StageOf(TraceCallStack? stack)
    {
        var methods = new List<string>();
        for (var frame = stack; frame is not null; frame = frame.Caller)
            // GatewayLoss (in CityTwin.Storage) resumes every read the API makes: whatever runs after a read (rendering
            // JSON, writing the response) has it on the stack, and it is not storage.
            if (frame.CodeAddress.FullMethodName is { Length: > 0 } method && !method.Contains("CityTwin.Storage.GatewayLoss", StringComparison.Ordinal)) methods.Add(method);
        foreach (var (stage, frames) in Stages)
            if (methods.Any(m => frames.Any(f => m.Contains(f, StringComparison.Ordinal)))) return stage;
        return "other (runtime, thread pool, unresolved)";
    }

    private static async Task<string> RunAsync(params string[] args)
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        var info = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-trace", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet-trace {string.Join(' ', args)}: {await errors}");
        return await output;
    }
}
