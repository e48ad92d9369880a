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
        var heap = new Heap(network.NodeCount);
        for (var k = 0; k < set.Origins.Length; k++) set.Grow(network, k, heap);
        return set;
    }

    /// <summary>The slot of an origin in these trees, or −1.</summary>
    internal int Slot(int origin) => Array.BinarySearch(Origins, origin) is var k and >= 0 ? k : -1;

    internal ReadOnlySpan<int> PredLinks(int slot) => PredLink.AsSpan(slot * nodes, nodes);
    internal ReadOnlySpan<int> SettledOrder(int slot) => Order.AsSpan(slot * nodes, Settled[slot]);

    private void Grow(RoadNetwork net, int slot, Heap heap)
    {
        var origin = Origins[slot];
        var pred = PredLink.AsSpan(slot * nodes, nodes);
        var order = Order.AsSpan(slot * nodes, nodes);
        pred.Fill(-1);
        heap.Reset();
        heap.Offer(origin, 0);
        var settled = 0;
        while (heap.Count > 0)
        {
            var (u, du) = heap.Pop();
            order[settled++] = u;
            if (u != origin && net.IsFringe(u)) continue; // trips leave at the fringe, never cut through it
            for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
            {
                var l = net.Out[k];
                if (heap.Offer(net.To[l], du + net.FreeFlowSeconds[l])) pred[net.To[l]] = l;
            }
        }
        Settled[slot] = settled;
    }

    /// <summary>A binary min-heap of nodes keyed by distance, with decrease-key; a node is settled once popped.</summary>
    private sealed class Heap(int nodes)
    {
        private readonly int[] items = new int[nodes];
        private readonly int[] position = new int[nodes]; // index in items; −1 not seen, −2 settled
        private readonly double[] distance = new double[nodes];
        public int Count { get; private set; }

        public void Reset()
        {
            Array.Fill(position, -1);
            Count = 0;
        }

        /// <summary>Lowers the node's distance if this is shorter (adding it if unseen); false if settled or not shorter.</summary>
        public bool Offer(int node, double d)
        {
            var at = position[node];
            if (at == -2 || (at >= 0 && d >= distance[node])) return false;
            distance[node] = d;
            if (at == -1) { at = Count++; items[at] = node; }
            Up(at);
            return true;
        }

        public (int Node, double Distance) Pop()
        {
            var top = items[0];
            position[top] = -2;
            var last = items[--Count];
            if (Count > 0) { items[0] = last; position[last] = 0; Down(0); }
            return (top, distance[top]);
        }

        private void Up(int at)
        {
            var node = items[at];
            var d = distance[node];
            while (at > 0)
            {
                var parent = (at - 1) >> 1;
                var p = items[parent];
                // Ties go by node index, so the tree never depends on the order of offers.
                if (distance[p] < d || (distance[p] == d && p < node)) break;
                items[at] = p;
                position[p] = at;
                at = parent;
            }
            items[at] = node;
            position[node] = at;
        }

        private void Down(int at)
        {
            var node = items[at];
            var d = distance[node];
            while (true)
            {
                var child = 2 * at + 1;
                if (child >= Count) break;
                if (child + 1 < Count && Less(items[child + 1], items[child])) child++;
                var c = items[child];
                if (!Less(c, node)) break;
                items[at] = c;
                position[c] = at;
                at = child;
            }
            items[at] = node;
            position[node] = at;

            bool Less(int a, int b) => distance[a] < distance[b] || (distance[a] == distance[b] && a < b);
        }
    }
}
