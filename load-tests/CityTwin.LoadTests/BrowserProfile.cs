using System.Text.Json;
using Microsoft.Playwright;

namespace CityTwin.LoadTests;

/// <summary>
/// Where a page's main thread spends a window (the console suite's <c>--profile DIR</c>): V8's sampling CPU profile (CDP
/// <c>Profiler</c>, 100 µs) summed by function, self and total, and a Chromium trace (devtools.timeline) summed by
/// event name on the renderer's main thread — layout, style, paint and GC show there, not in the CPU profile. Both files
/// are kept in DIR (the .cpuprofile opens in the devtools' Performance panel, the trace in chrome://tracing or Perfetto).
/// </summary>
public static class BrowserProfile
{
    public static async Task<(T Result, List<string> Summary)> RunAsync<T>(IPage page, string directory, string name, Func<Task<T>> window)
    {
        Directory.CreateDirectory(directory);
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Profiler.enable");
        await cdp.SendAsync("Profiler.setSamplingInterval", new Dictionary<string, object> { ["interval"] = 100 });
        // The trace through CDP's Tracing domain (Playwright .NET has no tracing API): its events arrive in batches.
        var traceEvents = new List<string>();
        var complete = new TaskCompletionSource();
        cdp.Event("Tracing.dataCollected").OnEvent += (_, e) => { lock (traceEvents) traceEvents.AddRange(e!.Value.GetProperty("value").EnumerateArray().Select(v => v.GetRawText())); };
        cdp.Event("Tracing.tracingComplete").OnEvent += (_, _) => complete.TrySetResult();
        await cdp.SendAsync("Tracing.start", new Dictionary<string, object>
        {
            ["traceConfig"] = new Dictionary<string, object> { ["includedCategories"] = new[] { "devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "blink", "__metadata" } },
        });
        await cdp.SendAsync("Profiler.start");
        var result = await window();
        var stopped = await cdp.SendAsync("Profiler.stop");
        await cdp.SendAsync("Tracing.end");
        await complete.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await cdp.DetachAsync();
        var profile = stopped!.Value.GetProperty("profile");
        var profilePath = Path.Combine(directory, $"{name}.cpuprofile");
        await File.WriteAllTextAsync(profilePath, profile.GetRawText());
        var tracePath = Path.Combine(directory, $"{name}.trace.json");
        await File.WriteAllTextAsync(tracePath, $"[{string.Join(",\n", traceEvents)}]");
        using var trace = JsonDocument.Parse(await File.ReadAllBytesAsync(tracePath));
        return (result, [.. Cpu(profile), .. Timeline(trace.RootElement), $"profile: {profilePath}, trace: {tracePath}"]);
    }

    /// <summary>The 25 functions with the most self time, and the 25 with the most total (on the stack) time.</summary>
    private static List<string> Cpu(JsonElement profile)
    {
        var nodes = profile.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetInt32());
        var parent = new Dictionary<int, int>();
        foreach (var n in nodes.Values)
            if (n.TryGetProperty("children", out var children))
                foreach (var c in children.EnumerateArray()) parent[c.GetInt32()] = n.GetProperty("id").GetInt32();
        string Name(int id)
        {
            var f = nodes[id].GetProperty("callFrame");
            var fn = f.GetProperty("functionName").GetString() is { Length: > 0 } s ? s : "(anonymous)";
            var url = f.GetProperty("url").GetString() ?? "";
            return url.Length == 0 ? fn : $"{fn} {url[(url.LastIndexOf('/') + 1)..]}:{f.GetProperty("lineNumber").GetInt32() + 1}";
        }
        var samples = profile.GetProperty("samples").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var deltas = profile.GetProperty("timeDeltas").EnumerateArray().Select(e => e.GetDouble() / 1000).ToArray();
        var self = new Dictionary<string, double>();
        var total = new Dictionary<string, double>();
        var all = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            var ms = i + 1 < deltas.Length ? deltas[i + 1] : 0; // a sample's time: until the next one
            all += ms;
            var id = samples[i];
            self[Name(id)] = self.GetValueOrDefault(Name(id)) + ms;
            var onStack = new HashSet<string>();
            for (var at = id; ; at = parent[at])
            {
                if (onStack.Add(Name(at))) total[Name(at)] = total.GetValueOrDefault(Name(at)) + ms;
                if (!parent.ContainsKey(at)) break;
            }
        }
        var lines = new List<string> { $"CPU profile: {all:0} ms sampled; self time:" };
        lines.AddRange(self.OrderByDescending(p => p.Value).Take(25).Select(p => $"  {p.Value,8:0.0} ms {p.Value / all,6:P1}  {p.Key}"));
        lines.Add("total (on the stack) time:");
        lines.AddRange(total.Where(p => p.Key != "(root)").OrderByDescending(p => p.Value).Take(25).Select(p => $"  {p.Value,8:0.0} ms {p.Value / all,6:P1}  {p.Key}"));
        return lines;
    }

    /// <summary>The renderer main thread's complete events summed by name (inclusive: nested events count in their parents too).</summary>
    private static List<string> Timeline(JsonElement trace)
    {
        var events = (trace.ValueKind == JsonValueKind.Array ? trace : trace.GetProperty("traceEvents")).EnumerateArray().ToList();
        var main = events.Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name"
                                     && e.GetProperty("args").GetProperty("name").GetString() == "CrRendererMain")
            .Select(e => (e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32())).ToHashSet();
        var sums = new Dictionary<string, (double Ms, int Count, double Max)>();
        foreach (var e in events)
        {
            if (e.GetProperty("ph").GetString() != "X" || !e.TryGetProperty("dur", out var dur)) continue;
            if (!main.Contains((e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32()))) continue;
            var name = e.GetProperty("name").GetString()!;
            var ms = dur.GetDouble() / 1000;
            var s = sums.GetValueOrDefault(name);
            sums[name] = (s.Ms + ms, s.Count + 1, Math.Max(s.Max, ms));
        }
        var lines = new List<string> { "renderer main thread, trace events by name (inclusive ms, count, longest):" };
        lines.AddRange(sums.OrderByDescending(p => p.Value.Ms).Take(30).Select(p => $"  {p.Value.Ms,8:0.0} ms {p.Value.Count,6}× max {p.Value.Max,6:0.0}  {p.Key}"));
        return lines;
    }
}
