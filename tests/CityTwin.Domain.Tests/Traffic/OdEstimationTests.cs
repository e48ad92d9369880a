using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

/// <summary>Demand estimated back from counts of a known ground truth (generate, assign, count with noise, estimate).</summary>
public sealed class OdEstimationTests
{
    private static readonly RoadNetwork Grid = GridNetwork.Build(new GridSpec());

    /// <summary>
    /// The prior's pairs with their trips scaled by <paramref name="growth"/> and seeded log-normal factors: a city
    /// busier than the synthetic one, and busier in some places than others.
    /// </summary>
    private static OdMatrix Truth(OdMatrix prior, double sigma, int seed, double growth = 1)
    {
        var random = new Random(seed);
        return OdMatrix.FromFlows(Enumerable.Range(0, prior.Count).Select(k => (prior[k].Origin, prior[k].Destination, prior[k].TripsPerHour * growth * Math.Exp(sigma * Gaussian(random)))));
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Cameras on a share of the intersections' approaches, each count off by a seeded noise.</summary>
    private static List<(int Link, double VehPerHour)> Counts(OdMatrix truth, double share, double noise, int seed)
    {
        var assigned = Assignment.Compute(Grid, truth);
        var random = new Random(seed);
        var counts = new List<(int, double)>();
        for (var l = 0; l < Grid.LinkCount; l++)
            if (Grid.LinkTo(l) < Grid.IntersectionCount && random.NextDouble() < share)
                counts.Add((l, Math.Max(0, assigned.LinkFlowPerHour(l) * (1 + noise * Gaussian(random)))));
        return counts;
    }

    [Theory]
    [InlineData(7_200, 1)] // light
    [InlineData(14_400, 2)] // near saturation on the 10 × 10 grid
    public void Demand_estimated_from_noisy_counts_matches_them_and_the_true_total(int tripsPerHour, int seed)
    {
        var prior = OdMatrix.Generate(Grid, tripsPerHour, seed: seed);
        var truth = Truth(prior, sigma: 0.7, seed: seed + 10, growth: 1.4);
        var counts = Counts(truth, share: 0.7, noise: 0.05, seed: seed + 20);

        var estimate = OdEstimation.FromCounts(Grid, prior, counts);

        Assert.True(estimate.ShareGehBelow5 >= 0.85, $"GEH < 5 on {estimate.ShareGehBelow5:P0} of {estimate.Fit.Length} counted approaches");
        Assert.InRange(estimate.Demand.TotalTripsPerHour / truth.TotalTripsPerHour, 0.95, 1.05);
        // And it is the counts that did it: the prior alone is a third short and fits them badly.
        var before = OdEstimation.FromCounts(Grid, prior, counts, iterations: 0);
        Assert.True(before.ShareGehBelow5 < 0.85 && before.Demand.TotalTripsPerHour / truth.TotalTripsPerHour < 0.8,
            $"the prior: GEH < 5 on {before.ShareGehBelow5:P0}, total {before.Demand.TotalTripsPerHour / truth.TotalTripsPerHour:P0} of the truth's");
    }

    [Fact]
    public void Exact_counts_on_every_approach_are_reproduced()
    {
        var prior = OdMatrix.Generate(Grid, 7_200, seed: 3);
        var truth = Truth(prior, sigma: 0.3, seed: 4);
        var estimate = OdEstimation.FromCounts(Grid, prior, Counts(truth, share: 1, noise: 0, seed: 5), iterations: 300);
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
