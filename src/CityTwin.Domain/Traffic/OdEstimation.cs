namespace CityTwin.Domain.Traffic;

/// <summary>
/// Origin–destination demand estimated from counted link flows, the synthetic matrix as the prior: each pair's
/// trips are scaled, iteration by iteration, by the (damped) geometric mean of counted ÷ modelled over the counts its
/// routes cross, each weighted by the share of the pair's trips it counts — a multiplicative least-squares step in log
/// space (Spiess 1990's gradient method, with the assignment held fixed: the shortest free-flow routes, each pair's
/// trips shared among them by their turns, as <see cref="Assignment"/> loads them). A pair whose routes cross no count keeps
/// its prior; a pair the prior has not cannot appear (the prior's structure is
/// kept, as in matrix estimation from counts generally). A count is of a link (a camera's approach) or of an
/// intersection (the vehicles entering it by every approach: its controller's <c>flowVehPerHour</c>), and a pair
/// crosses an intersection's count when its routes enter the intersection. The fit is reported per count as GEH, the
/// standard check of modelled against counted hourly flows (GEH &lt; 5 is a good match).
/// </summary>
public static class OdEstimation
{
    /// <summary>One count — of a link (<paramref name="Node"/> -1) or of an intersection (<paramref name="Link"/> -1): modelled by the estimated demand against counted, veh/h.</summary>
    public readonly record struct CountFit(int Link, int Node, double Counted, double Modelled)
    {
        public double Geh => Counted + Modelled <= 0 ? 0 : Math.Sqrt(2 * (Modelled - Counted) * (Modelled - Counted) / (Modelled + Counted));
    }

    /// <param name="PriorFit">The prior's own fit to the counts, for comparison.</param>
    public sealed record Estimate(OdMatrix Demand, CountFit[] Fit, CountFit[] PriorFit, int Iterations)
    {
        /// <summary>The share of counts with GEH below 5.</summary>
        public double ShareGehBelow5 => ShareBelow5(Fit);
        public double PriorShareGehBelow5 => ShareBelow5(PriorFit);

        private static double ShareBelow5(CountFit[] fit) => fit.Length == 0 ? 1 : fit.Count(f => f.Geh < 5) / (double)fit.Length;
    }

    /// <param name="counts">Counted links and their flows, veh/h (a link counted twice: the mean of the two).</param>
    /// <param name="intersectionCounts">Counted intersections (nodes) and the flows entering them, veh/h (the same: the mean).</param>
    /// <param name="damping">Exponent on each step's factor (0–1]: smaller is slower and steadier where counts conflict.</param>
    public static Estimate FromCounts(RoadNetwork network, OdMatrix prior, IEnumerable<(int Link, double VehPerHour)> counts,
        RouteSet? routes = null, int iterations = 60, double damping = 0.7, IEnumerable<(int Node, double VehPerHour)>? intersectionCounts = null)
    {
        var byLink = counts.GroupBy(c => c.Link).OrderBy(g => g.Key).Select(g => (Link: g.Key, Node: -1, Flow: g.Average(c => c.VehPerHour)));
        var byNode = (intersectionCounts ?? []).GroupBy(c => c.Node).OrderBy(g => g.Key).Select(g => (Link: -1, Node: g.Key, Flow: g.Average(c => c.VehPerHour)));
        var elements = byLink.Concat(byNode).ToArray();
        routes ??= RouteSet.ShortestFreeFlow(network, prior.Origins.Distinct());
        // The counts each link's flow is part of: its own, and the count of the intersection it enters.
        var countsOf = new List<int>?[elements.Length == 0 ? 0 : network.LinkCount];
        for (var c = 0; c < elements.Length; c++)
        {
            if (elements[c].Link >= 0) (countsOf[elements[c].Link] ??= []).Add(c);
            else
                for (var m = network.InStart[elements[c].Node]; m < network.InStart[elements[c].Node + 1]; m++) (countsOf[network.In[m]] ??= []).Add(c);
        }
        var target = elements.Select(e => Math.Max(0, e.Flow)).ToArray();

        // The counts on each pair's routes, with the share of the pair's trips each one counts (its trips are shared
        // among its shortest routes by their turns, as Assignment loads them); most pairs cross a few counts, only those matter.
        var crossStart = new int[prior.Count + 1];
        var crossed = new List<(int Count, double Share)>();
        var onRoute = new bool[network.LinkCount];
        var position = new int[network.NodeCount];
        var routeWeights = new RouteWeights(network);
        var linkWeight = new double[network.LinkCount];
        var nodeWeight = new double[network.NodeCount];
        var carried = new double[network.LinkCount]; // share of the pair's trips on each link
        var carrying = new List<int>();
        var shareOf = new double[elements.Length];
        var touched = new List<int>();
        ReadOnlySpan<int> distance = [], order = [];
        var origin = -1;
        for (var k = 0; k < prior.Count; k++)
        {
            var (o, d, _) = prior[k];
            if (o != origin && elements.Length > 0 && routes.Slot(o) is var slot and >= 0)
            {
                origin = o;
                distance = routes.Distances(slot);
                order = routes.SettledOrder(slot);
                routeWeights.Weigh(distance, order, onRoute, linkWeight, nodeWeight);
                for (var j = 0; j < order.Length; j++) position[order[j]] = j;
            }
            if (o == origin && d != o && distance[d] != int.MaxValue)
            {
                // From the destination back towards the origin, nodes farthest first, sharing as Assignment does.
                for (var j = position[d]; j > 0; j--)
                {
                    var v = order[j];
                    if (!routeWeights.HandBack(v, v == d ? 1 : 0, onRoute, linkWeight, nodeWeight, carried, null)) continue;
                    for (var i = network.InStart[v]; i < network.InStart[v + 1]; i++)
                    {
                        var l = network.In[i];
                        if (!onRoute[l] || carried[l] <= 0) continue;
                        carrying.Add(l);
                        if (countsOf[l] is { } on)
                            foreach (var c in on)
                            {
                                if (shareOf[c] == 0) touched.Add(c);
                                shareOf[c] += carried[l];
                            }
                    }
                }
                foreach (var l in carrying) carried[l] = 0;
                carrying.Clear();
                touched.Sort();
                foreach (var c in touched) { crossed.Add((c, shareOf[c])); shareOf[c] = 0; }
                touched.Clear();
            }
            crossStart[k + 1] = crossed.Count;
        }

        var trips = prior.TripsPerHour.ToArray();
        var modelled = new double[elements.Length];
        CountFit[] Fit() => [.. elements.Select((e, c) => new CountFit(e.Link, e.Node, target[c], modelled[c]))];
        Load(trips, crossStart, crossed, modelled);
        var priorFit = Fit();
        var done = 0;
        // Until every count is matched (GEH 0.5 is a few vehicles an hour) or the iterations run out.
        for (; done < iterations && Fit().Any(f => f.Geh >= 0.5); done++)
        {
            for (var k = 0; k < trips.Length; k++)
            {
                var (from, to) = (crossStart[k], crossStart[k + 1]);
                if (from == to || trips[k] <= 0) continue;
                double log = 0, weights = 0;
                for (var i = from; i < to; i++)
                {
                    var (c, share) = crossed[i];
                    // Bounded per step, so that an empty count or an unloaded link cannot zero or explode a pair at once.
                    log += share * Math.Log(Math.Clamp((target[c] + 1) / (modelled[c] + 1), 0.2, 5));
                    weights += share;
                }
                trips[k] *= Math.Exp(damping * log / weights);
            }
            Load(trips, crossStart, crossed, modelled);
        }
        var demand = OdMatrix.FromFlows(Enumerable.Range(0, trips.Length).Select(k => (prior[k].Origin, prior[k].Destination, trips[k])));
        return new Estimate(demand, Fit(), priorFit, done);
    }

    private static void Load(double[] trips, int[] crossStart, List<(int Count, double Share)> crossed, double[] modelled)
    {
        Array.Clear(modelled);
        for (var k = 0; k < trips.Length; k++)
            for (var i = crossStart[k]; i < crossStart[k + 1]; i++) modelled[crossed[i].Count] += trips[k] * crossed[i].Share;
    }
}
