using System.Diagnostics;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;

namespace CityTwin.LoadTests;

/// <summary>
/// What Prometheus costs a big silo: the series count and the time of a scrape of its /metrics, first with a small
/// city, then holding a large one (every asset grain active), in one silo on SQLite. The series count must not
/// depend on the number of assets (no asset id as a label); the scrape must stay well inside the scrape interval.
/// </summary>
public static class ScrapeBenchmark
{
    public static async Task<List<string>> RunAsync(int assets)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-scrape-").FullName;
        try
        {
            await using var twin = await Twin.StartAsync(data);
            using var scraper = new HttpClient { BaseAddress = new Uri(twin.Silo.Url), Timeout = TimeSpan.FromMinutes(1) };

            await twin.ImportAsync(CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 1 }).Assets);
            var small = await ScrapeAsync(scraper);
            Console.WriteLine($"1,000 assets: {small.Series} series, scrape p50 {small.P50:0.0} ms");

            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 }).Assets;
            await twin.ImportAsync(city);
            var large = await ScrapeAsync(scraper);
            var active = PrometheusText.Sum(await scraper.GetStringAsync("/metrics"), "orleans_catalog_activations");
            var memory = twin.Silo.WorkingSetBytes();
            Console.WriteLine($"{assets:N0} assets ({active:N0} activations, {memory / 1e9:0.0} GB): {large.Series} series, scrape p50 {large.P50:0.0} ms, p99 {large.P99:0.0} ms");

            return
            [
                $"| `/metrics` of a silo holding {assets:N0} active assets ({active:N0} activations, working set {memory / 1e9:0.0} GB), one silo, SQLite | " +
                $"**{large.Series} series** ({small.Series} with 1,000 assets); scrape p50 {large.P50:0.0} ms, **p99 {large.P99:0.0} ms**, {large.Bytes / 1024.0:0} KB " +
                $"(with 1,000 assets: p50 {small.P50:0.0} ms) | ≤ 100 ms, series independent of assets {(large.P99 <= 100 && Math.Abs(large.Series - small.Series) < 50 ? "✅" : "❌")} |",
            ];
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>21 scrapes a second apart (the exporter caches a response briefly); the first warms up and is not counted.</summary>
    private static async Task<(int Series, double P50, double P99, int Bytes)> ScrapeAsync(HttpClient http)
    {
        var times = new List<double>();
        var body = "";
        for (var i = 0; i <= 20; i++)
        {
            await Task.Delay(1_000);
            var started = Stopwatch.GetTimestamp();
            body = await http.GetStringAsync("/metrics");
            if (i > 0) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        return (PrometheusText.Series(body), times[times.Count / 2], times[^1], body.Length);
    }
}
