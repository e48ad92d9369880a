using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

/// <summary>Demand estimated back from counts of a known ground truth (generate, assign, count with noise, estimate).</summary>
public sealed class OdEstimationTests
{
    private static readonly RoadNetwork Grid = GridNetwork.Build(new GridSpec());

    [Theory]
    [InlineData(7_200, 1)] // light
    [InlineData(14_400, 2)] // near saturation on the 10 × 10 grid
    public void Demand_estimated_from_noisy_counts_matches_them_and_the_true_total(int tripsPerHour, int seed)
    {
        var prior = OdMatrix.Generate(Grid, tripsPerHour, seed: seed);
        var truth = OdGroundTruth.Truth(prior, sigma: 0.7, seed: seed + 10, growth: 1.4);
        var counts = OdGroundTruth.Counts(Grid, truth, share: 0.7, noise: 0.05, seed: seed + 20);

        var estimate = OdEstimation.FromCounts(Grid, prior, counts);

        Assert.True(estimate.ShareGehBelow5 >= 0.85, $"GEH < 5 on {estimate.ShareGehBelow5:P0} of {estimate.Fit.Length} counted approaches");
        Assert.InRange(estimate.Demand.TotalTripsPerHour / truth.TotalTripsPerHour, 0.95, 1.05);
        // And it is the counts that did it: the prior alone is a third short and fits them badly.
        Assert.True(estimate.PriorShareGehBelow5 < 0.85 && prior.TotalTripsPerHour / truth.TotalTripsPerHour < 0.8,
            $"the prior: GEH < 5 on {estimate.PriorShareGehBelow5:P0}, total {prior.TotalTripsPerHour / truth.TotalTripsPerHour:P0} of the truth's");
    }

    [Fact]
    public void Demand_estimated_from_intersection_flows_alone_matches_them()
    {
        var prior = OdMatrix.Generate(Grid, 7_200, seed: 11);
        var truth = OdGroundTruth.Truth(prior, sigma: 0.5, seed: 12, growth: 1.4);
        // What each controller reports: the flow entering its junction by every approach, with 5 % noise.
        var flows = OdGroundTruth.IntersectionFlows(Grid, truth, noise: 0.05, seed: 13);

        var estimate = OdEstimation.FromCounts(Grid, prior, [], intersectionCounts: flows);

        Assert.Equal(flows.Count, estimate.Fit.Length);
        Assert.All(estimate.Fit, f => Assert.True(f.Link == -1 && f.Node >= 0));
        Assert.True(estimate.ShareGehBelow5 >= 0.85, $"GEH < 5 on {estimate.ShareGehBelow5:P0} of {estimate.Fit.Length} intersections");
        Assert.True(estimate.PriorShareGehBelow5 < estimate.ShareGehBelow5, $"the prior: GEH < 5 on {estimate.PriorShareGehBelow5:P0}");
        Assert.InRange(estimate.Demand.TotalTripsPerHour / truth.TotalTripsPerHour, 0.9, 1.1);
    }

    [Fact]
    public void An_intersections_count_is_the_sum_of_its_approaches()
    {
        var prior = OdMatrix.Generate(Grid, 3_000, seed: 21);
        var links = OdEstimation.FromCounts(Grid, prior, OdGroundTruth.Counts(Grid, prior, share: 1, noise: 0, seed: 22), iterations: 0);
        var nodes = OdEstimation.FromCounts(Grid, prior, [], iterations: 0, intersectionCounts: OdGroundTruth.IntersectionFlows(Grid, prior, noise: 0, seed: 23));
        foreach (var node in nodes.Fit)
        {
            var entering = links.Fit.Where(l => Grid.LinkTo(l.Link) == node.Node).Sum(l => l.Modelled);
            Assert.Equal(entering, node.Modelled, 6);
        }
    }

    [Fact]
    public void Exact_counts_on_every_approach_are_reproduced()
    {
        var prior = OdMatrix.Generate(Grid, 7_200, seed: 3);
        var truth = OdGroundTruth.Truth(prior, sigma: 0.3, seed: 4);
        var estimate = OdEstimation.FromCounts(Grid, prior, OdGroundTruth.Counts(Grid, truth, share: 1, noise: 0, seed: 5), iterations: 300);
        Assert.True(estimate.Fit.Max(f => f.Geh) < 1.5, $"worst GEH {estimate.Fit.Max(f => f.Geh):0.00}");
    }

    [Fact]
    public void Without_counts_the_prior_is_the_estimate()
    {
        var prior = OdMatrix.Generate(Grid, 1_000, seed: 6);
        var estimate = OdEstimation.FromCounts(Grid, prior, []);
        Assert.Equal(prior.TotalTripsPerHour, estimate.Demand.TotalTripsPerHour, 9);
        Assert.Empty(estimate.Fit);
    }
}
