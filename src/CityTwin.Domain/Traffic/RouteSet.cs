namespace CityTwin.Domain.Traffic;

/// <summary>
/// Shortest free-flow travel-time trees (Dijkstra) from every origin of a demand: for each origin the order in which
/// nodes were settled and the link by which each was reached. Trips never pass through a fringe node, and ties are
/// broken the same way every run.
/// </summary>
public sealed class RouteSet
{
    internal readonly int[] Origins; // sorted
    internal readonly int[] PredLink; // [origin slot × nodes + node], −1 unreached
    internal readonly int[] Order; // [origin slot × nodes + k], settled nodes in order
    internal readonly int[] Settled; // per origin slot
    private readonly int nodes;

    private RouteSet(int[] origins, int nodes)
    {
        Origins = origins;
        this.nodes = nodes;
        PredLink = new int[origins.Length * nodes];
        Order = new int[origins.Length * nodes];
        Settled = new int[origins.Length];
    }

    /// <summary>Trees from every node of the network that can be an origin (all nodes).</summary>
    public static RouteSet ShortestFreeFlow(RoadNetwork network) => ShortestFreeFlow(network, Enumerable.Range(0, network.NodeCount));

    public static RouteSet ShortestFreeFlow(RoadNetwork network, IEnumerable<int> origins)
    {
        var set = new RouteSet(origins.Distinct().Order().ToArray(), network.NodeCount);
        var distance = new double[network.NodeCount];
        var done = new bool[network.NodeCount];
        var queue = new PriorityQueue<int, double>(network.NodeCount);
        for (var k = 0; k < set.Origins.Length; k++) set.Grow(network, k, distance, done, queue);
        return set;
    }

    /// <summary>The slot of an origin in these trees, or −1.</summary>
    internal int Slot(int origin) => Array.BinarySearch(Origins, origin) is var k and >= 0 ? k : -1;

    internal ReadOnlySpan<int> PredLinks(int slot) => PredLink.AsSpan(slot * nodes, nodes);
    internal ReadOnlySpan<int> SettledOrder(int slot) => Order.AsSpan(slot * nodes, Settled[slot]);

    private void Grow(RoadNetwork net, int slot, double[] distance, bool[] done, PriorityQueue<int, double> queue)
    {
        var origin = Origins[slot];
        var pred = PredLink.AsSpan(slot * nodes, nodes);
        var order = Order.AsSpan(slot * nodes, nodes);
        pred.Fill(-1);
        Array.Fill(distance, double.PositiveInfinity);
        Array.Clear(done);
        distance[origin] = 0;
        queue.Clear();
        queue.Enqueue(origin, 0);
        var settled = 0;
        while (queue.TryDequeue(out var u, out var du))
        {
            if (done[u] || du > distance[u]) continue;
            done[u] = true;
            order[settled++] = u;
            if (u != origin && net.IsFringe(u)) continue; // trips leave at the fringe, never cut through it
            for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
            {
                var l = net.Out[k];
                var v = net.To[l];
                var dv = du + net.FreeFlowSeconds[l];
                if (dv < distance[v])
                {
                    distance[v] = dv;
                    pred[v] = l;
                    queue.Enqueue(v, dv);
                }
            }
        }
        Settled[slot] = settled;
    }
}
