using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using CityTwin.Domain.Queries;
using static CityTwin.LoadTests.Goals;

namespace CityTwin.LoadTests;

/// <summary>
/// The operations centre's queries on a big city (default 1,000,000 assets, one silo and one API on SQLite, Release):
/// GET by id at 5,000 req/s beside the same API's /alive, bbox queries of about 500 assets at 200 req/s, near queries,
/// /api/stats, and how far the read model trails the grains (telemetry POST → visible in a query).
/// </summary>
public static class QueryBenchmark
{
    /// <param name="idle">When set, the silo deactivates assets idle this long, and the loads wait until the city went idle.</param>
    /// <param name="restarted">
    /// When set, the silo and the API are killed after the import and started again on the same file, so the loads
    /// meet a silo that holds the read model and only the asset grains they ask for (an import activates every one).
    /// </param>
    /// <param name="trace">A folder for CPU profiles (dotnet-trace) of the silo and the API during the GET window.</param>
    public static async Task<List<string>> RunAsync(int assets, int getRate, TimeSpan duration, TimeSpan? idle = null, bool restarted = false, string? trace = null)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-queries-").FullName;
        var rows = new List<string>();
        Twin? twin = null;
        try
        {
            // The silo keeps its port across a restart, as the AppHost's silos do (see RestartBenchmark).
            string[] silo = [$"--Silo:Port={ChildProcess.FreePort()}", .. idle is { } age ? [$"--Twin:AssetIdleDeactivation={age:c}"] : Array.Empty<string>()];
            twin = await Twin.StartAsync(data, silo);
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            var clock = Stopwatch.StartNew();
            await twin.ImportAsync(city.Assets);
            await twin.UntilCountedAsync(city.Assets.Count, TimeSpan.FromMinutes(5));
            var imported = twin.Silo.WorkingSetBytes();
            Console.WriteLine($"read model complete after {clock.Elapsed.TotalSeconds:0} s; silo working set {imported / 1e9:0.0} GB");
            if (restarted)
            {
                await Task.Delay(TimeSpan.FromSeconds(6)); // the write-behind window
                await twin.QuietAsync(TimeSpan.FromMinutes(5));
                await twin.Silo.KillAsync();
                await twin.DisposeAsync();
                twin = await Twin.StartAsync(data, silo);
                await twin.UntilCountedAsync(city.Assets.Count, TimeSpan.FromMinutes(10));
                imported = twin.Silo.WorkingSetBytes();
                Console.WriteLine($"restarted, read model complete; silo working set {imported / 1e9:0.00} GB");
            }
            if (idle is { } wait)
            {
                await Task.Delay(wait + TimeSpan.FromSeconds(90)); // idle age + Orleans' one-minute collection sweep + slack
                imported = twin.Silo.WorkingSetBytes();
                Console.WriteLine($"after {wait + TimeSpan.FromSeconds(90)} idle: silo working set {imported / 1e9:0.0} GB");
            }

            var random = new Random(1);
            var ids = Enumerable.Range(0, 200_000).Select(_ => "/api/assets/" + city.Assets[random.Next(city.Assets.Count)].Id).ToArray();
            var boxes = Boxes(city, random, 200);
            var nears = Enumerable.Range(0, 200).Select(_ => city.Assets[random.Next(city.Assets.Count)].Location)
                .Select(p => FormattableString.Invariant($"/api/assets?near={p.Lon},{p.Lat}&radius=300&limit=1000")).ToArray();

            // Warm-up: JIT, connections, the API's district directory.
            await ConstantRateLoad.RunAsync(twin.Http, i => i % 2 == 0 ? "/alive" : ids[i % ids.Length], getRate, TimeSpan.FromSeconds(10));
            await ConstantRateLoad.RunAsync(twin.Http, i => boxes[i % boxes.Length].Url, 100, TimeSpan.FromSeconds(5));

            var alive = await ConstantRateLoad.RunAsync(twin.Http, _ => "/alive", getRate, duration);
            var profiles = trace is null ? null : Profiler.StartAsync(trace, "get", duration, twin);
            var get = await ConstantRateLoad.RunAsync(twin.Http, i => ids[i % ids.Length], getRate, duration);
            // As ingest --trace does: the stages after the table, and the silo's busiest methods (a cold GET is mostly the silo's).
            List<string> profile = profiles is null ? [] :
                ["", "Where the CPU went during the GET window, `--trace`:", "", .. await profiles, "", .. Profiler.Top(Path.Combine(trace!, "get-silo.nettrace"), 30)];
            rows.Add($"| `GET /api/assets/{{id}}`, {assets:N0}-asset city, {getRate:N0} req/s for {duration.TotalSeconds:0} s ({get.Requests:N0} requests, {get.Errors} errors, achieved {get.AchievedPerSecond:N0}/s) | " +
                     $"p50 {get.P50:0.00} ms, **p99 {get.P99:0.00} ms**, p99.9 {get.P999:0.00} ms; baseline `/alive` same rate: p50 {alive.P50:0.00} ms, p99 {alive.P99:0.00} ms (ratio p99 {get.P99 / alive.P99:0.0}×) | p99 ≤ 1.5× `/alive` {Mark(get.P99 <= 1.5 * alive.P99)} |");

            // The read model's windows are profiled too: their tails, not their CPU, are what the figures hold.
            var bbox = await WindowAsync("bbox", "During the bbox window (right after the GETs):", i => boxes[i % boxes.Length].Url, 200);
            // The same boxes once the silo has settled from the GETs' activations: what a burst of cold GETs leaves
            // behind, apart from what the read model costs on its own.
            var settledAfter = await twin.QuietAsync(TimeSpan.FromMinutes(2));
            var settled = await WindowAsync("bbox-settled", "During the bbox window once settled:", i => boxes[i % boxes.Length].Url, 200);
            rows.Add($"| bbox query returning ≈ 500 assets (mean {boxes.Average(b => b.Expected):0}, one page), 200 req/s for {duration.TotalSeconds:0} s ({bbox.Errors} errors) | " +
                     $"p50 {bbox.P50:0.00} ms, **p99 {bbox.P99:0.00} ms** ({bbox.P99 / bbox.P50:0.0}× p50) | p99 ≤ 3× p50 {Mark(bbox.P99 <= 3 * bbox.P50)} |");
            rows.Add($"| the same boxes once the silo had settled from the GETs ({settledAfter.TotalSeconds:0} s after them{(settledAfter < TimeSpan.FromMinutes(2) ? ": under a quarter of a core for 1 s" : ", never under a quarter of a core for 1 s")}), 200 req/s for {duration.TotalSeconds:0} s ({settled.Errors} errors) | " +
                     $"p50 {settled.P50:0.00} ms, **p99 {settled.P99:0.00} ms** ({settled.P99 / settled.P50:0.0}× p50) | p99 ≤ 3× p50 {Mark(settled.P99 <= 3 * settled.P50)} |");

            var near = await ConstantRateLoad.RunAsync(twin.Http, i => nears[i % nears.Length], 200, duration);
            rows.Add($"| near query, 300 m radius (ordered by distance), 200 req/s for {duration.TotalSeconds:0} s ({near.Errors} errors) | p50 {near.P50:0.00} ms, p99 {near.P99:0.00} ms | — |");

            var stats = await WindowAsync("stats", "During the stats window:", _ => "/api/stats", 50);
            var statsBytes = (await twin.Http.GetByteArrayAsync("/api/stats")).Length;
            rows.Add($"| `GET /api/stats` ({city.Districts.Count} districts, {statsBytes / 1024.0:0} KB), 50 req/s for {duration.TotalSeconds:0} s ({stats.Errors} errors) | p50 {stats.P50:0.00} ms, **p99 {stats.P99:0.00} ms** ({stats.P99 / stats.P50:0.0}× p50) | p99 ≤ 3× p50 {Mark(stats.P99 <= 3 * stats.P50)} |");

            var staleness = await StalenessAsync(twin.Http, city, random, 300);
            rows.Add($"| read-model staleness: telemetry POST acknowledged → visible in `GET /api/assets?…dimLevel=` (300 probes, polled every 2 ms; coalescing window 10 ms) | " +
                     $"p50 {staleness.P50:0.0} ms, **p99 {staleness.P99:0.0} ms**, max {staleness.Max:0.0} ms | stated bound: coalescing window + stream delivery, ≤ 100 ms {Mark(staleness.P99 <= 100)} |");
            var after = twin.Silo.WorkingSetBytes();
            rows.Add($"| silo memory per asset (working set ÷ {assets:N0} assets, every one queryable): {(restarted ? "restarted, the read model complete" : idle is null ? "when the read model was complete" : "once the city had idled")} / after the loads above | " +
                     $"{imported / (double)assets / 1024:0.00} KB / **{after / (double)assets / 1024:0.00} KB** ({imported / 1e9:0.00} / {after / 1e9:0.00} GB) | ≤ 2 KB {Mark(after <= 2048L * assets)} |");
            rows.AddRange(profile);
            return rows;

            // One open-loop window, profiled under --trace (its stages appended to the profile under the heading).
            async Task<LatencyStats> WindowAsync(string name, string heading, Func<int, string> url, int perSecond)
            {
                var profiles = trace is null ? null : Profiler.StartAsync(trace, name, duration, twin);
                var window = await ConstantRateLoad.RunAsync(twin.Http, url, perSecond, duration);
                Console.WriteLine($"{name} window: the load generator's own GC pauses {window.GeneratorPausedMs:0} ms");
                if (profiles is not null) profile.AddRange(["", heading, "", .. await profiles]);
                return window;
            }
        }
        finally
        {
            if (twin is not null) await twin.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Boxes around random assets, grown until they hold about 500 assets of the generated city (400–600).</summary>
    private static (string Url, int Expected)[] Boxes(GeneratedCity city, Random random, int count)
    {
        var points = city.Assets.Select(a => a.Location).ToArray();
        var result = new List<(string, int)>();
        while (result.Count < count)
        {
            var centre = points[random.Next(points.Length)];
            double half = 150;
            for (var step = 0; step < 30; step++)
            {
                var sw = centre.Offset(-half, -half);
                var ne = centre.Offset(half, half);
                var box = new GeoBox(sw.Lon, sw.Lat, ne.Lon, ne.Lat);
                var n = points.Count(box.Contains);
                if (n is >= 400 and <= 600)
                {
                    result.Add((FormattableString.Invariant($"/api/assets?bbox={box.MinLon},{box.MinLat},{box.MaxLon},{box.MaxLat}&limit=1000"), n));
                    break;
                }
                half *= Math.Sqrt(500.0 / Math.Max(n, 1)) is var f && f > 1.5 ? 1.5 : f < 0.67 ? 0.67 : f;
            }
        }
        return [.. result];
    }

    private static async Task<LatencyStats> StalenessAsync(HttpClient http, GeneratedCity city, Random random, int probes)
    {
        var poles = city.Assets.Where(a => a.Type == AssetType.Pole).ToArray();
        var times = new List<double>();
        for (var i = 0; i < probes; i++)
        {
            var pole = poles[random.Next(poles.Length)];
            var level = Math.Round(0.001 * (i + 1), 3); // unique, so the query finds this reading and no other
            var body = FormattableString.Invariant($$"""{"timestamp":"{{DateTimeOffset.UtcNow:O}}","lampOn":true,"dimLevel":{{level}}}""");
            using var sent = await http.PostAsync($"/api/assets/{pole.Id}/telemetry", new StringContent(body, Encoding.UTF8, "application/json"));
            if (!sent.IsSuccessStatusCode) throw new InvalidOperationException($"telemetry refused: {await sent.Content.ReadAsStringAsync()}");
            var acknowledged = Stopwatch.GetTimestamp();
            var url = FormattableString.Invariant($"/api/assets?district={pole.District}&type=pole&dimLevel={level}");
            while (true)
            {
                var page = JsonNode.Parse(await http.GetStringAsync(url))!;
                if (page["items"]!.AsArray().Any(x => (string)x!["id"]! == pole.Id)) break;
                if (Stopwatch.GetElapsedTime(acknowledged) > TimeSpan.FromSeconds(10)) throw new TimeoutException($"{pole.Id} never showed dimLevel {level}");
                await Task.Delay(2);
            }
            times.Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
        }
        return LatencyStats.From(times, 0, 0);
    }
}
