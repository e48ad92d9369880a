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

    public RouteWeights(RoadNetwork network)
    {
        net = network;
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
    }

    /// <summary>The factor of the movement from <paramref name="link"/> into the out-link at <paramref name="position"/> of its end.</summary>
    public double Factor(int link, int position) => factor[CandidateStart[link] + position];

    /// <summary>
    /// Nearest first, the weight of the origin's shortest routes ending with each route link (<paramref name="link"/>)
    /// and arriving at each node (<paramref name="node"/>), from those ending with the route links into its upstream node.
    /// </summary>
    public void Weigh(int origin, ReadOnlySpan<int> order, ReadOnlySpan<bool> onRoute, double[] link, double[] node)
    {
        for (var j = 1; j < order.Length; j++)
        {
            var v = order[j];
            node[v] = 0;
            for (var i = net.InStart[v]; i < net.InStart[v + 1]; i++)
            {
                var l = net.In[i];
                if (!onRoute[l]) continue;
                var u = net.From[l];
                var w = 0.0;
                if (u == origin) w = 1;
                else
                    for (var m = net.InStart[u]; m < net.InStart[u + 1]; m++)
                    {
                        var upstream = net.In[m];
                        if (onRoute[upstream]) w += link[upstream] * factor[CandidateStart[upstream] + OutPosition[l]];
                    }
                link[l] = w;
                node[v] += w;
            }
        }
    }
}
