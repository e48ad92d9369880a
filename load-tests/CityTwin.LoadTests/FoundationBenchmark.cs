using System.Diagnostics;
using System.Net.Http.Headers;
using CityTwin.Domain.City;
using CityTwin.Domain.GeoJson;

namespace CityTwin.LoadTests;

/// <summary>
/// The foundation's figures: import of a generated city into one silo on SQLite, silo memory per active asset,
/// and GET /api/assets/{id} latency at a steady rate (beside /alive, the same API without the Orleans hop).
/// </summary>
public static class FoundationBenchmark
{
    /// <param name="keptData">A folder to keep the imported database in; when it already holds one, the import is skipped.</param>
    public static async Task<List<string>> RunAsync(int assets, int rate, TimeSpan duration, string? keptData = null)
    {
        var rows = new List<string>();
        var data = keptData ?? Directory.CreateTempSubdirectory("citytwin-bench-").FullName;
        var imported = keptData is not null && File.Exists(Path.Combine(keptData, "citytwin.db"));
        try
        {
            var clock = Stopwatch.StartNew();
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            var generated = clock.Elapsed;
            using var buffer = new MemoryStream();
            await GeoJsonWriter.WriteAsync(buffer, city.Assets, CancellationToken.None);
            var body = buffer.ToArray();
            Console.WriteLine($"generated {city.Assets.Count:N0} assets in {generated.TotalSeconds:0.00} s; GeoJSON {body.Length / 1e6:0.0} MB");

            if (!imported)
            await using (var twin = await Twin.StartAsync(data))
            {
                clock.Restart();
                var content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/geo+json") } };
                var response = await twin.Http.PostAsync("/api/import", content);
                var importTime = clock.Elapsed;
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"import failed: {await response.Content.ReadAsStringAsync()}");
                var wall = generated + importTime;
                rows.Add($"| Generate + import {city.Assets.Count:N0} assets, one silo, SQLite | {wall.TotalSeconds:0.0} s wall ({generated.TotalSeconds:0.0} s generate + {importTime.TotalSeconds:0.0} s import), **{city.Assets.Count / wall.TotalSeconds:N0} assets/s** | ≤ 60 s |");
                Console.WriteLine(rows[^1]);
            }

            // A fresh silo on the imported database: working set before and after activating every asset.
            await using (var twin = await Twin.StartAsync(data))
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                var before = twin.Silo.WorkingSetBytes();
                var ids = city.Assets.Select(a => a.Id).ToArray();
                await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (id, ct) =>
                {
                    using var r = await twin.Http.GetAsync($"/api/assets/{id}", ct);
                    r.EnsureSuccessStatusCode();
                });
                await Task.Delay(TimeSpan.FromSeconds(3));
                var after = twin.Silo.WorkingSetBytes();
                if (Environment.GetEnvironmentVariable("CITYTWIN_BENCH_HOLD") is { } hold)
                {
                    Console.WriteLine($"holding silo pid {twin.Silo.Pid} for {hold} s");
                    await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold)));
                }

                var random = new Random(1);
                var urls = Enumerable.Range(0, rate * (int)duration.TotalSeconds).Select(_ => $"/api/assets/{ids[random.Next(ids.Length)]}").ToArray();
                // Warm up both paths (JIT tiers, connection pool) before anything is recorded.
                await ConstantRateLoad.RunAsync(twin.Http, i => i % 2 == 0 ? "/alive" : urls[i], rate, TimeSpan.FromSeconds(10));
                var baseline = await ConstantRateLoad.RunAsync(twin.Http, _ => "/alive", rate, duration);
                var get = await ConstantRateLoad.RunAsync(twin.Http, i => urls[i], rate, duration);
                // Again once the silo has served traffic for a while: the GCs it ran meanwhile return the
                // memory that activation needed only transiently, so this is the steady state.
                var steady = twin.Silo.WorkingSetBytes();
                rows.Add($"| Silo memory per activated asset ({ids.Length:N0} active) | working set {before / 1e6:0} MB before activation → {steady / 1e6:0} MB in steady state after {duration.TotalSeconds * 2 + 10:0} s of reads: **{(steady - before) / (double)ids.Length / 1024:0.00} KB per asset** (right after activating: {(after - before) / (double)ids.Length / 1024:0.00} KB) | ≤ 3 KB |");
                Console.WriteLine(rows[^1]);
                rows.Add($"| `GET /api/assets/{{id}}` at {rate:N0} req/s for {duration.TotalSeconds:0} s ({get.Requests:N0} requests, {get.Errors} errors) | p50 {get.P50:0.00} ms, **p99 {get.P99:0.00} ms**, p99.9 {get.P999:0.00} ms; baseline `/alive` same rate: p50 {baseline.P50:0.00} ms, p99 {baseline.P99:0.00} ms (ratio p99 {get.P99 / baseline.P99:0.0}×) | p99 ≤ 5 ms |");
                Console.WriteLine(rows[^1]);
            }
        }
        finally
        {
            if (keptData is null) Directory.Delete(data, recursive: true);
        }
        return rows;
    }
}
