namespace CityTwin.Domain.Traffic;

/// <summary>
/// Origin–destination demand estimated from counted link flows, the synthetic matrix as the prior: each pair's
/// trips are scaled, iteration by iteration, by the (damped) geometric mean of counted ÷ modelled over the counted
/// links on its route — a multiplicative least-squares step in log space (Spiess 1990's gradient method, with the
/// assignment held fixed: routes are the shortest free-flow ones, as <see cref="Assignment"/> loads them). A pair
/// whose route crosses no count keeps its prior; a pair the prior has not cannot appear (the prior's structure is
/// kept, as in matrix estimation from counts generally). The fit is reported per counted link as GEH, the standard
/// check of modelled against counted hourly flows (GEH &lt; 5 is a good match).
/// </summary>
public static class OdEstimation
{
    /// <summary>One counted link: modelled by the estimated demand against counted, veh/h.</summary>
    public readonly record struct LinkFit(int Link, double Counted, double Modelled)
    {
        public double Geh => Counted + Modelled <= 0 ? 0 : Math.Sqrt(2 * (Modelled - Counted) * (Modelled - Counted) / (Modelled + Counted));
    }

    /// <param name="PriorFit">The prior's own fit to the counts, for comparison.</param>
    public sealed record Estimate(OdMatrix Demand, LinkFit[] Fit, LinkFit[] PriorFit, int Iterations)
    {
        /// <summary>The share of counted links with GEH below 5.</summary>
        public double ShareGehBelow5 => ShareBelow5(Fit);
        public double PriorShareGehBelow5 => ShareBelow5(PriorFit);

        private static double ShareBelow5(LinkFit[] fit) => fit.Length == 0 ? 1 : fit.Count(f => f.Geh < 5) / (double)fit.Length;
    }

    /// <param name="counts">Counted links and their flows, veh/h (a link counted twice: the mean of the two).</param>
    /// <param name="damping">Exponent on each step's factor (0–1]: smaller is slower and steadier where counts conflict.</param>
    public static Estimate FromCounts(RoadNetwork network, OdMatrix prior, IEnumerable<(int Link, double VehPerHour)> counts,
        RouteSet? routes = null, int iterations = 60, double damping = 0.7)
    {
        var counted = counts.GroupBy(c => c.Link).ToDictionary(g => g.Key, g => Math.Max(0, g.Average(c => c.VehPerHour)));
        routes ??= RouteSet.ShortestFreeFlow(network, prior.Origins.Distinct());
        var slotOf = new int[counted.Count == 0 ? 0 : network.LinkCount];
        Array.Fill(slotOf, -1);
        var links = counted.Keys.Order().ToArray();
        for (var s = 0; s < links.Length; s++) slotOf[links[s]] = s;
        var target = links.Select(l => counted[l]).ToArray();

        // The counted links on each pair's route (most pairs cross a few; only those matter here).
        var crossStart = new int[prior.Count + 1];
        var crossed = new List<int>();
        for (var k = 0; k < prior.Count; k++)
        {
            var (o, d, _) = prior[k];
            var slot = routes.Slot(o);
            if (slot >= 0 && links.Length > 0)
            {
                var pred = routes.PredLinks(slot);
                for (var (node, guard) = (d, 0); node != o && pred[node] >= 0 && guard < network.NodeCount; node = network.LinkFrom(pred[node]), guard++)
                    if (slotOf[pred[node]] is var c and >= 0) crossed.Add(c);
            }
            crossStart[k + 1] = crossed.Count;
        }

        var trips = prior.TripsPerHour.ToArray();
        var modelled = new double[links.Length];
        LinkFit[] Fit() => [.. links.Select((l, c) => new LinkFit(l, target[c], modelled[c]))];
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
                var log = 0.0;
                for (var i = from; i < to; i++)
                {
                    var c = crossed[i];
                    // Bounded per step, so that an empty count or an unloaded link cannot zero or explode a pair at once.
                    log += Math.Log(Math.Clamp((target[c] + 1) / (modelled[c] + 1), 0.2, 5));
                }
                trips[k] *= Math.Exp(damping * log / (to - from));
            }
            Load(trips, crossStart, crossed, modelled);
        }
        var demand = OdMatrix.FromFlows(Enumerable.Range(0, trips.Length).Select(k => (prior[k].Origin, prior[k].Destination, trips[k])));
        return new Estimate(demand, Fit(), priorFit, done);
    }

    private static void Load(double[] trips, int[] crossStart, List<int> crossed, double[] modelled)
    {
        Array.Clear(modelled);
        for (var k = 0; k < trips.Length; k++)
            for (var i = crossStart[k]; i < crossStart[k + 1]; i++) modelled[crossed[i]] += trips[k];
    }
}
