using System.Diagnostics;
using CityTwin.Domain.City;
using CityTwin.Domain.Tests.Traffic;
using CityTwin.Domain.Traffic;

namespace CityTwin.LoadTests;

/// <summary>
/// OD estimation on a known ground truth, in process: the synthetic demand of a network is the prior; the truth is
/// that demand grown by 40 % and scaled pair by pair by log-normal factors (σ 0.7); cameras count 70 % of the
/// intersections' approaches with 5 % noise; the demand is estimated back from the prior and the counts. Reported over
/// many seeds: the share of counted approaches with GEH &lt; 5 (the prior's and the estimate's), the estimate's total
/// against the truth's, and the time it takes. One more case counts with no camera: every controller's reported flow
/// entering its intersection (5 % noise), the other source of counts the twin holds.
/// </summary>
public static class OdBenchmark
{
    public static List<string> Run(int seeds)
    {
        var rows = new List<string>
        {
            "| network, demand | counted approaches | GEH < 5, prior → estimate (min / median over seeds) | estimate total ÷ truth (min – max) | time (median) | goal |",
            "|---|---|---|---|---|---|",
        };
        var grid = GridNetwork.Build(new GridSpec());
        Case(rows, seeds, "10 × 10 grid, light (7,200 trips/h before growth)", grid, 7_200);
        Case(rows, seeds, "10 × 10 grid, near saturation (14,400 trips/h before growth)", grid, 14_400);
        Case(rows, seeds, "10 × 10 grid, light, no camera: every intersection's reported flow (counts are intersections)", grid, 7_200, flowsOnly: true);
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 13_225, Seed = 42 });
        var network = RoadNetworkBuilder.FromAssets(city.Assets);
        Case(rows, Math.Min(seeds, 5), $"{network.IntersectionCount:N0}-intersection generated city (20,000 trips/h before growth)", network, 20_000);
        rows.ForEach(Console.WriteLine);
        return rows;
    }

    private static void Case(List<string> rows, int seeds, string name, RoadNetwork network, double trips, bool flowsOnly = false)
    {
        var (prior5, estimate5, totals, times) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var counted = 0;
        for (var seed = 1; seed <= seeds; seed++)
        {
            var prior = OdMatrix.Generate(network, trips, seed: seed);
            var truth = OdGroundTruth.Truth(prior, sigma: 0.7, seed: seed + 1_000, growth: 1.4);
            var counts = flowsOnly ? [] : OdGroundTruth.Counts(network, truth, share: 0.7, noise: 0.05, seed: seed + 2_000);
            var flows = flowsOnly ? OdGroundTruth.IntersectionFlows(network, truth, noise: 0.05, seed: seed + 2_000) : [];
            var clock = Stopwatch.StartNew();
            var estimate = OdEstimation.FromCounts(network, prior, counts, intersectionCounts: flows);
            times.Add(clock.Elapsed.TotalMilliseconds);
            prior5.Add(estimate.PriorShareGehBelow5);
            estimate5.Add(estimate.ShareGehBelow5);
            totals.Add(estimate.Demand.TotalTripsPerHour / truth.TotalTripsPerHour);
            counted = counts.Count + flows.Count;
        }
        var met = estimate5.Min() >= 0.85 && totals.All(t => Math.Abs(t - 1) <= 0.05);
        var goal = flowsOnly ? "— (the goal is of cameras' counts)" : $"GEH < 5 on ≥ 85 %, total within 5 % {(met ? "✅" : "❌")}";
        rows.Add($"| {name}, {seeds} seeds | {counted:N0} | {prior5.Min():P0} / {Median(prior5):P0} → **{estimate5.Min():P0} / {Median(estimate5):P0}** | {totals.Min():0.000} – {totals.Max():0.000} | {Median(times):0} ms | {goal} |");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
