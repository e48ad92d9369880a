using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace CityTwin.LoadTests;

/// <summary>
/// A sweep of 100 variants of the 1,024-intersection district (10 demand levels × 10 seeds, link down and a controller
/// fault at the evening peak) on the real processes, SQLite: first the same spec run alone as a scenario (the baseline:
/// one variant on one core), then the sweep on one silo, then on two silos (a second silo process joins the cluster).
/// Wall time runs from POST /api/sweeps until GET shows it completed; variants/s per core divides by the silos, each
/// of which simulates one run at a time (Scenarios:MaxConcurrent = 1), and is compared with 1 ÷ the alone run's time.
/// </summary>
public static class SweepBenchmark
{
    private const string Scenario = """
        { "name": "bench: link down and a controller fault at the evening peak", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z",
          "horizonSeconds": 3600, "intervalSeconds": 300, "warmUpSeconds": 600, "seed": 1, "demand": { "tripsPerHourPerIntersection": 15 },
          "perturbations": [ { "kind": "linkDown", "targetId": "leo-d01-1", "atSeconds": 600, "durationSeconds": 1800 },
                             { "kind": "controllerFault", "targetId": "int-0001", "atSeconds": 300, "durationSeconds": 1200 } ] }
        """;

    private static string Sweep(int seeds) => $$"""
        { "name": "bench: 100 variants", "seeds": {{seeds}}, "range": { "parameter": "demand.scale", "from": 1.0, "to": 1.45, "step": 0.05 },
          "scenario": {{Scenario}} }
        """;

    public static async Task<List<string>> RunAsync(int seeds)
    {
        var city = ScenarioBenchmark.CityOf1024InOneDistrict();
        var data = Directory.CreateTempSubdirectory("citytwin-sweeps-").FullName;
        ChildProcess? second = null;
        try
        {
            await using var twin = await Twin.StartAsync(data);
            await twin.ImportAsync(city.Assets);
            await twin.QuietAsync(TimeSpan.FromSeconds(30));
            Console.WriteLine($"imported {city.Assets.Count:N0} assets, {city.Rows * city.Columns:N0} intersections in one district");

            // One variant alone: a scenario, its simulation time as the silo measured it (after a JIT warm-up).
            for (var w = 0; w < 3; w++) await ScenarioBenchmark.RoundTripAsync(twin.Http, Scenario);
            var alone = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                var (_, view) = await ScenarioBenchmark.RoundTripAsync(twin.Http, Scenario);
                alone.Add((DateTimeOffset.Parse((string)view["finishedAt"]!) - DateTimeOffset.Parse((string)view["startedAt"]!)).TotalSeconds);
            }
            var single = Median(alone);
            Console.WriteLine($"alone: {string.Join(", ", alone.Select(s => s.ToString("0.000")))} s → median {single:0.000} s");

            var one = await SweepAsync(twin.Http, seeds);
            Console.WriteLine($"one silo: {one.Runs} runs in {one.Wall:0.0} s ({Spread(one.View)})");

            second = await ChildProcess.StartAsync(Path.Combine(Twin.RepoRoot, "src", "CityTwin.Silo", "bin", "Release", "net10.0", "CityTwin.Silo.dll"),
                ["--Storage:Provider=Sqlite", $"--Storage:DataDirectory={data}", $"--Silo:Port={ChildProcess.FreePort()}", $"--Silo:GatewayPort={ChildProcess.FreePort()}",
                 "--Logging:LogLevel:Default=Warning", twin.Admin.Argument, "--Seed:Assets=0"]);
            await Task.Delay(TimeSpan.FromSeconds(10)); // joined, and seen active by the first silo's membership
            var two = await SweepAsync(twin.Http, seeds);
            Console.WriteLine($"two silos: {two.Runs} runs in {two.Wall:0.0} s ({Spread(two.View)})");
            if (two.View["runsBySilo"]!.AsObject().Count < 2) throw new InvalidOperationException("the sweep ran on one silo only: " + two.View.ToJsonString());

            double PerCore(double runs, double wall, int cores) => runs / wall / cores;
            var baseline = 1 / single;
            return
            [
                $"| Sweep of {two.Runs} variants (10 demand levels × {seeds} seeds) of the {city.Rows * city.Columns:N0}-intersection district ({city.Assets.Count:N0} assets), 1 h + 10 min warm-up each, on **two silos**: POST → completed | **{two.Wall:0.0} s** ({Spread(two.View)}); {PerCore(two.Runs, two.Wall, 2):0.00} variants/s per core = **{PerCore(two.Runs, two.Wall, 2) / baseline:0.00}×** one variant run alone ({single:0.000} s → {baseline:0.00}/s) | wall time, and variants/s per core vs one alone |",
                $"| The same sweep on one silo, same run | {one.Wall:0.0} s; {PerCore(one.Runs, one.Wall, 1):0.00} variants/s = {PerCore(one.Runs, one.Wall, 1) / baseline:0.00}× one alone; two silos {one.Wall / two.Wall:0.00}× faster | — |",
            ];
        }
        finally
        {
            if (second is not null) await second.DisposeAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<(int Runs, double Wall, JsonNode View)> SweepAsync(HttpClient http, int seeds)
    {
        var clock = Stopwatch.StartNew();
        var response = await http.PostAsync("/api/sweeps", new StringContent(Sweep(seeds), Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.ToString();
        while (true)
        {
            var view = JsonNode.Parse(await http.GetStringAsync(location))!;
            switch ((string?)view["status"])
            {
                case "completed" when (int)view["result"]!["failed"]! == 0: return ((int)view["runs"]!, clock.Elapsed.TotalSeconds, view);
                case "completed" or "failed" or "cancelled": throw new InvalidOperationException(view.ToJsonString());
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(20)) throw new TimeoutException(view.ToJsonString());
            await Task.Delay(50);
        }
    }

    private static string Spread(JsonNode view) =>
        string.Join(" + ", view["runsBySilo"]!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{(int)p.Value!}")) + " runs per silo";

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
