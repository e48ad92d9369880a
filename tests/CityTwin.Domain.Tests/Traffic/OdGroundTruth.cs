using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

/// <summary>
/// A known demand to estimate back (the OD estimation's tests, and its benchmark, which links this file): the prior's
/// pairs scaled by a growth and seeded log-normal factors, counted on a share of the intersections' approaches with
/// seeded noise.
/// </summary>
public static class OdGroundTruth
{
    public static OdMatrix Truth(OdMatrix prior, double sigma, int seed, double growth = 1)
    {
        var random = new Random(seed);
        return OdMatrix.FromFlows(Enumerable.Range(0, prior.Count).Select(k => (prior[k].Origin, prior[k].Destination, prior[k].TripsPerHour * growth * Math.Exp(sigma * Gaussian(random)))));
    }

    public static List<(int Link, double VehPerHour)> Counts(RoadNetwork network, OdMatrix truth, double share, double noise, int seed)
    {
        var assigned = Assignment.Compute(network, truth);
        var random = new Random(seed);
        var counts = new List<(int, double)>();
        for (var l = 0; l < network.LinkCount; l++)
            if (network.LinkTo(l) < network.IntersectionCount && random.NextDouble() < share)
                counts.Add((l, Math.Max(0, assigned.LinkFlowPerHour(l) * (1 + noise * Gaussian(random)))));
        return counts;
    }

    /// <summary>What every intersection's controller would report: the flow entering it, veh/h, with noise.</summary>
    public static List<(int Node, double VehPerHour)> IntersectionFlows(RoadNetwork network, OdMatrix truth, double noise, int seed)
    {
        var assigned = Assignment.Compute(network, truth);
        var random = new Random(seed);
        var entering = new double[network.IntersectionCount];
        for (var l = 0; l < network.LinkCount; l++)
            if (network.LinkTo(l) < network.IntersectionCount) entering[network.LinkTo(l)] += assigned.LinkFlowPerHour(l);
        return [.. entering.Select((flow, node) => (node, Math.Max(0, flow * (1 + noise * Gaussian(random)))))];
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
