using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Traffic;

/// <summary>
/// OD demand loaded onto its shortest free-flow routes — each pair's trips shared among all its routes of equal time,
/// as drivers with the same origin and destination spread over a grid's streets, a route weighing less the more it
/// turns (<see cref="TurnWeight"/>) —, and what the simulation
/// needs from that: for each link the share of its vehicles that turn into each next link and the share that end
/// their trip at its end; for each origin the share entering each first link and its rate. The simulation moves fluid counts by these shares (turning
/// ratios, as SUMO's jtrrouter does): in steady state that reproduces every assigned link and movement flow exactly,
/// without keeping one queue per route.
/// </summary>
public sealed class Assignment
{
    /// <summary>
    /// Among a pair's equally quick routes, each turn halves a route's share, a little more (× 0.45): drivers keep
    /// to a street rather than zigzag. Calibrated against SUMO's routes on grids other than the benchmark's, whose
    /// trips turned 2.39 and 3.01 times; shared evenly, the twin's turned 3.07 and 4.39 times
    /// (docs/models.md#cross-check-with-sumo).
    /// </summary>
    public const double TurnWeight = 0.45;

    // Movements of link l: Moves[MoveStart[l]..MoveStart[l + 1]], positive shares only, of the
    // vehicles that do not end their trip on l (they sum to 1 unless every vehicle does).
    internal readonly int[] MoveStart;
    internal readonly Movement[] Moves;
    internal readonly double[] SinkFraction;
    // First links of origin node n: Sources[SourceStart[n]..SourceStart[n + 1]].
    internal readonly int[] SourceStart;
    internal readonly Movement[] Sources;
    /// <summary>Nodes where trips start, ascending.</summary>
    internal readonly int[] OriginNodes;
    /// <summary>Trips per second leaving each node.</summary>
    internal readonly double[] OriginRate;
    internal readonly double[] LinkFlow; // veh/h

    private Assignment(int[] moveStart, Movement[] moves, double[] sinkFraction,
        int[] sourceStart, Movement[] sources, double[] originRate, double[] linkFlow, double unrouted)
    {
        (MoveStart, Moves, SinkFraction) = (moveStart, moves, sinkFraction);
        (SourceStart, Sources, OriginRate, LinkFlow) = (sourceStart, sources, originRate, linkFlow);
        OriginNodes = Enumerable.Range(0, originRate.Length).Where(n => originRate[n] > 0).ToArray();
        UnroutedTripsPerHour = unrouted;
    }

    /// <summary>Demand with no route (destination unreachable), left out.</summary>
    public double UnroutedTripsPerHour { get; }
    public double LinkFlowPerHour(int link) => LinkFlow[link];
    public double OriginTripsPerHour(int node) => OriginRate[node] * 3_600;

    /// <summary>
    /// Loads the demand onto shortest free-flow routes, each pair's trips shared among its routes by their turns. A link this
    /// demand leaves unused keeps the shares of <paramref name="previous"/> (vehicles already on it when demand changes
    /// mid-run still know where to go).
    /// </summary>
    public static Assignment Compute(RoadNetwork network, OdMatrix demand, RouteSet? routes = null, Assignment? previous = null)
    {
        int links = network.LinkCount, nodes = network.NodeCount;
        // Without kept searches, each origin's search is grown into one buffer, used, and overwritten by the next.
        var search = routes is null ? new RouteSet.BucketSearch(network) : null;
        var distanceBuffer = routes is null ? new int[nodes] : [];
        var orderBuffer = routes is null ? new int[nodes] : [];
        var weights = new RouteWeights(network);
        var candidateStart = weights.CandidateStart;
        var moveFlow = new double[candidateStart[links]];
        var sourceFlow = new double[links]; // aligned with network.Out
        var sinkFlow = new double[links];
        var linkFlow = new double[links];
        var ending = new double[nodes]; // trips of this origin ending at each node
        var onRoute = new bool[links]; // links on one of this origin's shortest routes
        var routeWeight = new double[links]; // the weight of this origin's shortest routes ending with each link
        var nodeWeight = new double[nodes]; // … arriving at each node
        var carried = new double[links]; // this origin's trips on each link
        double unrouted = 0;

        for (var k = 0; k < demand.Count;)
        {
            var origin = demand.Origins[k];
            ReadOnlySpan<int> distance, order;
            if (routes is null)
            {
                var settled = search!.Grow(origin, distanceBuffer, orderBuffer);
                distance = distanceBuffer;
                order = orderBuffer.AsSpan(0, settled);
            }
            else
            {
                var slot = routes.Slot(origin);
                if (slot < 0) throw new ArgumentException($"The routes have no search from node {origin}.", nameof(routes));
                distance = routes.Distances(slot);
                order = routes.SettledOrder(slot);
            }
            for (; k < demand.Count && demand.Origins[k] == origin; k++)
            {
                var d = demand.Destinations[k];
                if (d == origin || distance[d] == int.MaxValue) { unrouted += demand.TripsPerHour[k]; continue; }
                ending[d] += demand.TripsPerHour[k];
            }
            weights.Weigh(distance, order, onRoute, routeWeight, nodeWeight);
            // Farthest first: what ends at a node and what leaves it on each route link, back over the route links into it.
            for (var j = order.Length - 1; j > 0; j--)
            {
                var v = order[j];
                var end = ending[v];
                ending[v] = 0;
                if (!weights.HandBack(v, end, onRoute, routeWeight, nodeWeight, carried, moveFlow)) continue;
                for (var i = network.InStart[v]; i < network.InStart[v + 1]; i++)
                {
                    var l = network.In[i];
                    if (!onRoute[l] || routeWeight[l] <= 0) continue;
                    linkFlow[l] += carried[l];
                    sinkFlow[l] += end * routeWeight[l] / nodeWeight[v];
                    if (network.From[l] == origin) sourceFlow[network.OutStart[origin] + weights.OutPosition[l]] += carried[l];
                }
            }
            ending[origin] = 0;
            for (var j = 1; j < order.Length; j++)
                for (var i = network.InStart[order[j]]; i < network.InStart[order[j] + 1]; i++) carried[network.In[i]] = 0;
        }

        // Shares of what arrives on each link; links without flow keep the previous shares.
        var moveStart = new int[links + 1];
        var moves = new List<Movement>(links * 3);
        var sinkFraction = new double[links];
        for (var l = 0; l < links; l++)
        {
            var total = sinkFlow[l];
            for (var c = candidateStart[l]; c < candidateStart[l + 1]; c++) total += moveFlow[c];
            if (total > 0)
            {
                sinkFraction[l] = sinkFlow[l] / total;
                // Turning shares are of the vehicles that stay: those are the ones in the queue.
                var first = network.OutStart[network.To[l]];
                for (var c = candidateStart[l]; c < candidateStart[l + 1]; c++)
                    if (moveFlow[c] > 0) moves.Add(new(network.Out[first + c - candidateStart[l]], moveFlow[c] / (total - sinkFlow[l])));
            }
            else if (previous is not null)
            {
                sinkFraction[l] = previous.SinkFraction[l];
                for (var m = previous.MoveStart[l]; m < previous.MoveStart[l + 1]; m++) moves.Add(previous.Moves[m]);
            }
            else sinkFraction[l] = 1; // unused by this demand, so nothing gets here; were it to, it would leave
            moveStart[l + 1] = moves.Count;
        }

        var sourceStart = new int[nodes + 1];
        var sources = new List<Movement>();
        var originRate = new double[nodes];
        for (var n = 0; n < nodes; n++)
        {
            double total = 0;
            for (var k = network.OutStart[n]; k < network.OutStart[n + 1]; k++) total += sourceFlow[k];
            originRate[n] = total / 3_600;
            for (var k = network.OutStart[n]; k < network.OutStart[n + 1]; k++)
                if (sourceFlow[k] > 0) sources.Add(new(network.Out[k], sourceFlow[k] / total));
            sourceStart[n + 1] = sources.Count;
        }
        return new Assignment(moveStart, [.. moves], sinkFraction,
            sourceStart, [.. sources], originRate, linkFlow, unrouted);
    }

    /// <summary>
    /// A fixed-time Webster plan for an intersection from the flows assigned to its approaches (its current plan's
    /// phases, lost time and green limits).
    /// </summary>
    public SignalPlan WebsterPlan(RoadNetwork network, int intersection, double maxCycleSeconds = Webster.DefaultMaxCycleSeconds)
    {
        Span<double> flow = stackalloc double[4];
        Span<double> saturation = stackalloc double[4];
        for (var k = network.InStart[intersection]; k < network.InStart[intersection + 1]; k++)
        {
            var l = network.In[k];
            flow[network.ApproachAt[l]] += LinkFlow[l];
            saturation[network.ApproachAt[l]] += network.CapacityPerSecond[l] * 3_600;
        }
        return Webster.Retime(network.Plans[intersection], flow, saturation, maxCycleSeconds);
    }

    /// <summary>A turn into the next link, with the share of the queue that takes it.</summary>
    internal readonly record struct Movement(int Target, double Share);
}
