namespace CityTwin.Domain.Traffic;

/// <summary>
/// Origin–destination demand between nodes of a <see cref="RoadNetwork"/>, in trips per hour; sparse, sorted by
/// origin then destination so that everything built from it comes out in the same order every time.
/// </summary>
public sealed class OdMatrix
{
    internal readonly int[] Origins, Destinations;
    internal readonly double[] TripsPerHour;

    private OdMatrix(int[] origins, int[] destinations, double[] tripsPerHour) =>
        (Origins, Destinations, TripsPerHour) = (origins, destinations, tripsPerHour);

    public int Count => Origins.Length;
    public double TotalTripsPerHour => TripsPerHour.Sum();
    public (int Origin, int Destination, double TripsPerHour) this[int k] => (Origins[k], Destinations[k], TripsPerHour[k]);

    /// <summary>Sums the flows of repeated pairs and drops empty ones and trips to their own origin.</summary>
    public static OdMatrix FromFlows(IEnumerable<(int Origin, int Destination, double TripsPerHour)> flows)
    {
        var list = new List<(int Origin, int Destination, double TripsPerHour)>();
        foreach (var flow in flows)
        {
            if (!(flow.TripsPerHour >= 0) || double.IsInfinity(flow.TripsPerHour)) throw new ArgumentOutOfRangeException(nameof(flows), "Flows must be finite and not negative.");
            if (flow.Origin != flow.Destination && flow.TripsPerHour > 0) list.Add(flow);
        }
        // Stable sort by pair, then sum runs of the same pair in their original order: the same input, the same sums.
        var sorted = list.Select((f, k) => (f, k)).OrderBy(x => x.f.Origin).ThenBy(x => x.f.Destination).ThenBy(x => x.k).Select(x => x.f).ToList();
        var origins = new List<int>();
        var destinations = new List<int>();
        var trips = new List<double>();
        foreach (var (o, d, q) in sorted)
        {
            if (origins.Count > 0 && origins[^1] == o && destinations[^1] == d) trips[^1] += q;
            else { origins.Add(o); destinations.Add(d); trips.Add(q); }
        }
        return new OdMatrix([.. origins], [.. destinations], [.. trips]);
    }

    /// <summary>
    /// A seeded random demand of <paramref name="tripsPerHour"/> whole trips: a <paramref name="fringeShare"/> of them
    /// from one fringe node to another (through traffic), the rest between an intersection and any other node, half
    /// starting and half ending at the intersection. Same network, numbers and seed → the same matrix.
    /// </summary>
    public static OdMatrix Generate(RoadNetwork network, double tripsPerHour, double fringeShare = 0.8, int seed = 1)
    {
        if (!(tripsPerHour >= 0)) throw new ArgumentOutOfRangeException(nameof(tripsPerHour));
        if (fringeShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(fringeShare));
        var intersections = network.IntersectionCount;
        var fringe = network.NodeCount - intersections;
        var random = new Random(seed);
        var trips = new List<(int, int, double)>((int)tripsPerHour);
        for (var k = 0; k < (int)Math.Round(tripsPerHour); k++)
        {
            int o, d;
            if (fringe >= 2 && random.NextDouble() < fringeShare)
            {
                o = intersections + random.Next(fringe);
                do d = intersections + random.Next(fringe); while (d == o);
            }
            else if (intersections >= 1 && network.NodeCount >= 2)
            {
                var inner = random.Next(intersections);
                int other;
                do other = random.Next(network.NodeCount); while (other == inner);
                (o, d) = random.Next(2) == 0 ? (inner, other) : (other, inner);
            }
            else break;
            trips.Add((o, d, 1));
        }
        return FromFlows(trips);
    }

    /// <summary>Every flow times <paramref name="factor"/>.</summary>
    public OdMatrix Scaled(double factor) => ScaledWhere(_ => true, factor);

    /// <summary>Trips that start or end in the district (a <see cref="RoadNetwork.Districts"/> index) times <paramref name="factor"/>.</summary>
    public OdMatrix ScaledForDistrict(RoadNetwork network, int district, double factor) =>
        ScaledWhere(k => network.NodeDistrict[Origins[k]] == district || network.NodeDistrict[Destinations[k]] == district, factor);

    private OdMatrix ScaledWhere(Func<int, bool> applies, double factor)
    {
        if (!(factor >= 0) || double.IsInfinity(factor)) throw new ArgumentOutOfRangeException(nameof(factor));
        var q = (double[])TripsPerHour.Clone();
        for (var k = 0; k < q.Length; k++) if (applies(k)) q[k] *= factor;
        return new OdMatrix(Origins, Destinations, q);
    }
}
