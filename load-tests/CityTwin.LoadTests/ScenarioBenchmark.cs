using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;

namespace CityTwin.LoadTests;

/// <summary>
/// The scenario API round trip on the real processes (one silo on SQLite, the API): a generated city of 1,024
/// intersections in one district; the clock runs from POST /api/scenarios until GET shows the run completed (baseline
/// and variant both simulated, results stored), polling every 5 ms. The snapshot capture time is the silo's own figure.
/// </summary>
public static class ScenarioBenchmark
{
    private const string Spec = """
        { "name": "bench: link down and a controller fault at the evening peak", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z",
          "horizonSeconds": 3600, "intervalSeconds": 300, "warmUpSeconds": 600, "seed": 1, "demand": { "tripsPerHourPerIntersection": 15 },
          "perturbations": [ { "kind": "linkDown", "targetId": "leo-d01-1", "atSeconds": 600, "durationSeconds": 1800 },
                             { "kind": "controllerFault", "targetId": "int-0001", "atSeconds": 300, "durationSeconds": 1200 } ] }
        """;

    public static async Task<List<string>> RunAsync(int runs)
    {
        var city = CityOf1024InOneDistrict();
        var data = Directory.CreateTempSubdirectory("citytwin-scenarios-").FullName;
        try
        {
            await using var twin = await Twin.StartAsync(data);
            await twin.ImportAsync(city.Assets);
            Console.WriteLine($"imported {city.Assets.Count:N0} assets, {city.Rows * city.Columns:N0} intersections in one district");

            for (var w = 0; w < 5; w++) await RoundTripAsync(twin.Http); // warm-up: JIT tiers, grain activations
            var total = new List<double>();
            var capture = new List<double>();
            var simulate = new List<double>();
            JsonNode last = null!;
            for (var i = 0; i < runs; i++)
            {
                var (ms, view) = await RoundTripAsync(twin.Http);
                total.Add(ms);
                capture.Add((double)view["snapshotSeconds"]! * 1_000);
                simulate.Add((DateTimeOffset.Parse((string)view["finishedAt"]!) - DateTimeOffset.Parse((string)view["startedAt"]!)).TotalMilliseconds);
                last = view;
            }
            Console.WriteLine($"round trip ms: {string.Join(", ", total.Select(v => v.ToString("0")))}");
            Console.WriteLine($"capture ms:    {string.Join(", ", capture.Select(v => v.ToString("0")))}");
            Console.WriteLine($"simulate ms:   {string.Join(", ", simulate.Select(v => v.ToString("0")))}");
            var assets = (int)last["snapshotAssets"]!;
            return
            [
                $"| Scenario API round trip, district of {city.Rows * city.Columns:N0} intersections ({assets:N0} assets), 1 h + 10 min warm-up, baseline + variant: POST → results available ({runs} runs) | p50 {P(total, 50):0} ms, **p95 {P(total, 95):0} ms** (max {total.Max():0} ms) | ≤ 1 s |",
                $"| Snapshot capture from the live grains (district paging, each page's readings in one question to the district, every asset read), inside the POST | p50 {P(capture, 50):0} ms, p95 {P(capture, 95):0} ms | — |",
                $"| Baseline + variant simulation on the silo (the grain's startedAt → finishedAt, before the result is stored) | p50 {P(simulate, 50):0} ms, p95 {P(simulate, 95):0} ms | — |",
            ];
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    public static async Task<(double Ms, JsonNode View)> RoundTripAsync(HttpClient http, string spec = Spec)
    {
        var clock = Stopwatch.StartNew();
        var response = await http.PostAsync("/api/scenarios", new StringContent(spec, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.ToString();
        while (true)
        {
            var view = JsonNode.Parse(await http.GetStringAsync(location))!;
            switch ((string?)view["status"])
            {
                case "completed": return (clock.Elapsed.TotalMilliseconds, view);
                case "failed" or "cancelled": throw new InvalidOperationException(view.ToJsonString());
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException(view.ToJsonString());
            await Task.Delay(5);
        }
    }

    /// <summary>A generated city whose road grid is 32 × 32, all in district d01.</summary>
    public static GeneratedCity CityOf1024InOneDistrict()
    {
        for (var target = 13_000; target < 14_000; target += 25)
        {
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = target, Seed = 42, Districts = 1 });
            if (city.Rows * city.Columns == 1_024) return city;
        }
        throw new InvalidOperationException("No generated city of 32 × 32 intersections near 13,000 assets.");
    }

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
