namespace CityTwin.Domain.Traffic;

/// <summary>
/// The weights by which a pair's equally quick routes share its trips: a route weighs the product of its movements'
/// factors, 1 straight on and <see cref="Assignment.TurnWeight"/> turning. One per network and user (it keeps a
/// buffer); <see cref="Weigh"/> fills one origin's weights and <see cref="HandBack"/> shares trips by them, for
/// <see cref="Assignment"/> (all of an origin's trips) and <see cref="OdEstimation"/> (one pair's).
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
    private readonly double[] perWeight; // HandBack's: what each link out of a node carries per unit of its routes' weight

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
        perWeight = new double[Enumerable.Range(0, network.NodeCount).Max(n => network.OutStart[n + 1] - network.OutStart[n])];
    }

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

    /// <summary>
    /// Hands what ends at node <paramref name="v"/> (<paramref name="end"/>) and what each route link out of it carries
    /// back over the route links into it, in proportion to the weight of the routes through each — so every route
    /// carries its weight's share — setting <paramref name="carried"/> of each, and adding each movement's part to
    /// <paramref name="movement"/> (at <see cref="CandidateStart"/>[l] + its position) when given. Links are handed
    /// back farthest first: a node's links out are complete before it. False, and nothing set, when nothing reaches v.
    /// </summary>
    public bool HandBack(int v, double end, ReadOnlySpan<bool> onRoute, double[] link, double[] node, double[] carried, double[]? movement)
    {
        if (node[v] <= 0) return false;
        var (first, outs) = (net.OutStart[v], net.OutStart[v + 1] - net.OutStart[v]);
        var leaving = false;
        for (var p = 0; p < outs; p++)
        {
            var next = net.Out[first + p];
            perWeight[p] = carried[next] > 0 ? carried[next] / link[next] : 0;
            leaving |= perWeight[p] > 0;
        }
        if (end == 0 && !leaving) return false;
        for (var i = net.InStart[v]; i < net.InStart[v + 1]; i++)
        {
            var l = net.In[i];
            if (!onRoute[l] || link[l] <= 0) continue;
            var f = end * link[l] / node[v];
            for (var p = 0; p < outs && leaving; p++)
            {
                if (perWeight[p] == 0) continue;
                var g = perWeight[p] * link[l] * factor[CandidateStart[l] + p];
                if (movement is not null) movement[CandidateStart[l] + p] += g;
                f += g;
            }
            carried[l] = f;
        }
        return true;
    }
}
