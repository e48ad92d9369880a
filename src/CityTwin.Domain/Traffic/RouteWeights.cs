namespace CityTwin.Domain.Traffic;

/// <summary>
/// The weights by which a pair's equally quick routes share its trips: a route weighs the product of its movements'
/// factors, 1 straight on and <see cref="Assignment.TurnWeight"/> turning. One per network; <see cref="Weigh"/> fills
/// one origin's weights, as <see cref="Assignment"/> and <see cref="OdEstimation"/> share trips by them.
/// </summary>
internal sealed class RouteWeights
{
    /// <summary>Every movement a link could make: the out-links of its downstream node, from CandidateStart[l] on.</summary>
    public readonly int[] CandidateStart;
    private readonly double[] factor;
    // Where each link is among the out-links of its upstream node: the movement into it from link m is
    // CandidateStart[m] + OutPosition[l].
    public readonly int[] OutPosition;
    private readonly RoadNetwork net;
    private readonly int[] time; // link times as the searches count them
    // The links going straight on into each link: StraightIn[StraightStart[l]..StraightStart[l + 1]] (usually one).
    private readonly int[] straightStart, straightIn;

    public RouteWeights(RoadNetwork network)
    {
        net = network;
        time = RouteSet.Weights(network);
        var links = network.LinkCount;
        CandidateStart = new int[links + 1];
        for (var l = 0; l < links; l++)
            CandidateStart[l + 1] = CandidateStart[l] + network.OutStart[network.To[l] + 1] - network.OutStart[network.To[l]];
        factor = new double[CandidateStart[links]];
        OutPosition = new int[links];
        for (var l = 0; l < links; l++)
        {
            var first = network.OutStart[network.To[l]];
            for (var c = CandidateStart[l]; c < CandidateStart[l + 1]; c++)
                factor[c] = network.TurnOf(l, network.Out[first + c - CandidateStart[l]]) == Turn.Straight ? 1 : Assignment.TurnWeight;
            var from = network.OutStart[network.From[l]];
            for (var k = from; ; k++) if (network.Out[k] == l) { OutPosition[l] = k - from; break; }
        }
        straightStart = new int[links + 1];
        var straight = new List<int>();
        for (var l = 0; l < links; l++)
        {
            var u = network.From[l];
            for (var m = network.InStart[u]; m < network.InStart[u + 1]; m++)
                if (factor[CandidateStart[network.In[m]] + OutPosition[l]] == 1) straight.Add(network.In[m]);
            straightStart[l + 1] = straight.Count;
        }
        straightIn = [.. straight];
    }

    /// <summary>The factor of the movement from <paramref name="link"/> into the out-link at <paramref name="position"/> of its end.</summary>
    public double Factor(int link, int position) => factor[CandidateStart[link] + position];

    /// <summary>
    /// Nearest first, which links are on one of the origin's shortest routes (its search's <paramref name="distance"/>
    /// and settling <paramref name="order"/>), and the weight of those routes ending with each route link
    /// (<paramref name="link"/>) and arriving at each node (<paramref name="node"/>), from those ending with the route
    /// links into its upstream node.
    /// </summary>
    public void Weigh(ReadOnlySpan<int> distance, ReadOnlySpan<int> order, Span<bool> onRoute, double[] link, double[] node)
    {
        var origin = order[0];
        for (var j = 1; j < order.Length; j++)
        {
            var v = order[j];
            node[v] = 0;
            for (var i = net.InStart[v]; i < net.InStart[v + 1]; i++)
            {
                var l = net.In[i];
                if (!(onRoute[l] = RouteSet.OnRoute(net, time, distance, origin, l))) continue;
                var u = net.From[l];
                // Every route into u turning (× TurnWeight), and those going straight on the rest of the way.
                var w = 1.0;
                if (u != origin)
                {
                    w = Assignment.TurnWeight * node[u];
                    for (var k = straightStart[l]; k < straightStart[l + 1]; k++)
                        if (onRoute[straightIn[k]]) w += (1 - Assignment.TurnWeight) * link[straightIn[k]];
                }
                link[l] = w;
                node[v] += w;
            }
        }
    }
}
