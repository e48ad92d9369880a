using System.Diagnostics;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Tests.Traffic;
using CityTwin.Domain.Traffic;

namespace CityTwin.LoadTests;

/// <summary>
/// The signal-plan search in process, on the 1,024-intersection district every junction on the same fixed-time plan
/// (90 s, 41 s of green each way): a corridor of 8 consecutive junctions across the middle row (the busiest such
/// stretch: some junctions of the generated grid carry no traffic at all), whose approaches carry
/// uneven flows (the imbalance is reported: each junction's busier phase's critical flow over the other's), 1 h of the
/// evening peak after 10 min of warm-up. Reported: the corridor's mean delay per vehicle under the current plans,
/// Webster's and the best the search found in its budget, the saving checked on three seeds the search never saw, and
/// the wall time (one core).
/// </summary>
public static class OptimiseBenchmark
{
    public static async Task<List<string>> RunAsync(int evaluations)
    {
        var rows = Corridor1024(evaluations);
        rows.Add(await ConfirmedBySumoAsync(Math.Min(evaluations, 40)));
        return rows;
    }

    private static List<string> Corridor1024(int evaluations)
    {
        var city = ScenarioBenchmark.CityOf1024InOneDistrict();
        var assets = city.Assets.Select(a => a.Intersection is { } i ? a with { Intersection = i with { Mode = ControlMode.FixedTime, Plan = SignalPlan.TwoPhase() } } : a).ToArray();
        var snapshot = TwinSnapshot.FromAssets(assets);
        var rowsByLat = assets.Where(a => a.Type == AssetType.Intersection).GroupBy(a => Math.Round(a.Location.Lat, 5)).OrderBy(g => g.Key).ToArray();
        var middle = rowsByLat[rowsByLat.Length / 2].OrderBy(a => a.Location.Lon).Select(a => a.Id).ToArray();
        var scenario = new ScenarioSpec
        {
            Name = "evening peak", SnapshotId = "d01", Start = new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), HorizonSeconds = 3_600,
            WarmUpSeconds = 600, Seed = 1, Demand = new DemandSpec { TripsPerHourPerIntersection = 15 },
        };
        // The corridor: the 8 consecutive junctions of the middle row that carry the most traffic (some carry none).
        var through = ScenarioRunner.Run(scenario, snapshot).Intersections.ToDictionary(i => i.Id, i => i.Baseline.Throughput);
        var start = Enumerable.Range(0, middle.Length - 7).MaxBy(k => middle.Skip(k).Take(8).Sum(id => through[id]));
        var corridor = middle.Skip(start).Take(8).ToArray();
        var spec = new OptimiseSpec { Name = "bench: corridor of 8", IntersectionIds = corridor, MaxEvaluations = evaluations, Scenario = scenario };
        var clock = Stopwatch.StartNew();
        var result = SignalOptimiser.Optimise(spec, snapshot);
        var wall = clock.Elapsed.TotalSeconds;

        // Imbalance: the busier phase's heavier approach flow over the other phase's (N/S against E/W).
        var imbalance = result.Plans.Where(p => p.ApproachFlowVehPerHour.Sum() > 0).Select(p =>
        {
            var q = p.ApproachFlowVehPerHour;
            double ns = Math.Max(q[0], q[2]), ew = Math.Max(q[1], q[3]);
            return Math.Max(ns, ew) / Math.Max(1, Math.Min(ns, ew));
        }).Order().ToArray();
        Console.WriteLine($"corridor {string.Join(", ", corridor)}; imbalance {string.Join(", ", imbalance.Select(v => v.ToString("0.0")))}");
        foreach (var p in result.Plans)
            Console.WriteLine($"{p.IntersectionId}: flows {string.Join("/", p.ApproachFlowVehPerHour.Select(v => v.ToString("0")))} veh/h; " +
                              $"current {p.Current.CycleSeconds:0}s {string.Join("/", p.Current.Phases.Select(x => x.GreenSeconds.ToString("0.#")))} → " +
                              $"best {p.Best.CycleSeconds:0}s {string.Join("/", p.Best.Phases.Select(x => x.GreenSeconds.ToString("0.#")))}; delay {p.CurrentDelaySeconds:0.0} → {p.BestDelaySeconds:0.0} s");
        Console.WriteLine($"delay current {result.CurrentDelaySeconds:0.00}, Webster {result.WebsterDelaySeconds:0.00}, best {result.BestDelaySeconds:0.00} s/veh; checks {string.Join(", ", result.CheckSeedsDelaySavedSeconds.Select(v => v.ToString("0.00")))}; {result.Evaluations} evaluations in {wall:0.0} s");
        return
        [
            $"| Signal-plan search, corridor of 8 junctions across the 1,024-intersection district (all fixed time, 90 s, 41/41 s), evening peak 1 h + 10 min warm-up, flows uneven at the junctions with traffic (busier phase ÷ other: median {imbalance[imbalance.Length / 2]:0.0}×, {imbalance[0]:0.0}–{imbalance[^1]:0.0}×), budget {evaluations} simulations | corridor mean delay **{result.CurrentDelaySeconds:0.0} → {result.BestDelaySeconds:0.0} s/veh (−{result.DelaySavedShare:P0})**; Webster's settings alone {result.WebsterDelaySeconds:0.0} s; saving on 3 unseen seeds {string.Join(" / ", result.CheckSeedsDelaySavedSeconds.Select(v => v.ToString("0.0")))} s; time lost per trip (whole district) {result.CurrentTimeLossSeconds:0.0} → {result.BestTimeLossSeconds:0.0} s; {result.Evaluations} simulations in {wall:0} s on one core | delay saved vs the current plan |",
        ];
    }

    /// <summary>
    /// The same search on a smaller generated city (1,500 assets, its 4 busiest consecutive junctions of the middle row,
    /// all fixed time) that SUMO runs in seconds; both plans exported and run in SUMO, which measures the time lost per
    /// vehicle on the edges into those junctions (its edge data) under the current plans and under the best.
    /// </summary>
    private static async Task<string> ConfirmedBySumoAsync(int evaluations)
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_500, Seed = 8, Districts = 1 });
        Asset[] WithPlans(Func<Asset, SignalPlan> plan) =>
            city.Assets.Select(a => a.Intersection is { } i ? a with { Intersection = i with { Mode = ControlMode.FixedTime, Plan = plan(a) } } : a).ToArray();
        var current = WithPlans(_ => SignalPlan.TwoPhase());
        var snapshot = TwinSnapshot.FromAssets(current);
        var scenario = new ScenarioSpec
        {
            Name = "evening peak", SnapshotId = "d01", Start = new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), HorizonSeconds = 3_600,
            WarmUpSeconds = 600, Seed = 1, Demand = new DemandSpec { TripsPerHourPerIntersection = 40 },
        };
        var rowsByLat = current.Where(a => a.Type == AssetType.Intersection).GroupBy(a => Math.Round(a.Location.Lat, 5)).OrderBy(g => g.Key).ToArray();
        var middle = rowsByLat[rowsByLat.Length / 2].OrderBy(a => a.Location.Lon).Select(a => a.Id).ToArray();
        var through = ScenarioRunner.Run(scenario, snapshot).Intersections.ToDictionary(i => i.Id, i => i.Baseline.Throughput);
        var start = Enumerable.Range(0, middle.Length - 3).MaxBy(k => middle.Skip(k).Take(4).Sum(id => through[id]));
        var corridor = middle.Skip(start).Take(4).ToArray();
        var result = SignalOptimiser.Optimise(new OptimiseSpec { Name = "bench: sumo", IntersectionIds = corridor, MaxEvaluations = evaluations, Scenario = scenario }, snapshot);
        var best = result.Plans.ToDictionary(p => p.IntersectionId, p => p.Best);

        var junctions = corridor.ToHashSet(StringComparer.Ordinal);
        async Task<(double Delay, double TimeLoss)> SumoAsync(Asset[] assets)
        {
            var dir = Directory.CreateTempSubdirectory("citytwin-sumo-opt-").FullName;
            SumoExport.Write(scenario, TwinSnapshot.FromAssets(assets), dir);
            var stats = await Sumo.RunAsync(dir);
            var delay = Sumo.DelayInto(dir, junctions);
            Directory.Delete(dir, recursive: true);
            return (delay, stats.TwinComparableTimeLossSeconds);
        }
        var before = await SumoAsync(current);
        var after = await SumoAsync(WithPlans(a => best.GetValueOrDefault(a.Id) ?? SignalPlan.TwoPhase()));
        Console.WriteLine($"sumo check: corridor {string.Join(", ", corridor)}; twin {result.CurrentDelaySeconds:0.0} → {result.BestDelaySeconds:0.0} s/veh; " +
                          $"SUMO into the corridor {before.Delay:0.0} → {after.Delay:0.0} s/veh, per trip {before.TimeLoss:0.0} → {after.TimeLoss:0.0} s");
        var sumoShare = before.Delay > 0 ? (before.Delay - after.Delay) / before.Delay : 0;
        return $"| The search confirmed by SUMO: 4 consecutive junctions of a 1,500-asset generated city (all fixed time, 90 s, 41/41 s; demand 40 trips/h per junction), {evaluations} simulations; current and best plans exported and run in SUMO 1.15 (time lost per vehicle on the edges into the 4 junctions, SUMO's edge data) | twin: **{result.CurrentDelaySeconds:0.0} → {result.BestDelaySeconds:0.0} s/veh (−{result.DelaySavedShare:P0})**; SUMO: **{before.Delay:0.0} → {after.Delay:0.0} s/veh ({(sumoShare >= 0 ? "−" : "+")}{Math.Abs(sumoShare):P0})**; time lost per trip in the whole city, SUMO: {before.TimeLoss:0.0} → {after.TimeLoss:0.0} s | the saving confirmed by SUMO {(sumoShare > 0 ? "✅" : "❌")} |";
    }
}
