namespace CityTwin.Domain.Traffic;

/// <summary>
/// Shortest free-flow travel-time trees (Dijkstra) from every origin of a demand: for each origin the order in which
/// nodes were settled and the link by which each was reached. Trips never pass through a fringe node, and ties are
/// broken the same way every run. Keeping the trees costs 8 bytes × origins × nodes (10 MB for a 1,024-intersection
/// city); <see cref="Assignment.Compute"/> without one grows each tree, uses it and drops it.
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
        var search = new BucketSearch(network);
        for (var k = 0; k < set.Origins.Length; k++)
            set.Settled[k] = search.Grow(set.Origins[k], set.PredLink.AsSpan(k * set.nodes, set.nodes), set.Order.AsSpan(k * set.nodes, set.nodes));
        return set;
    }

    /// <summary>The slot of an origin in these trees, or −1.</summary>
    internal int Slot(int origin) => Array.BinarySearch(Origins, origin) is var k and >= 0 ? k : -1;

    internal ReadOnlySpan<int> PredLinks(int slot) => PredLink.AsSpan(slot * nodes, nodes);
    internal ReadOnlySpan<int> SettledOrder(int slot) => Order.AsSpan(slot * nodes, Settled[slot]);

    /// <summary>
    /// Dijkstra with a bucket queue (Dial's algorithm): link times in whole tenths of a second, so the queue is an
    /// array of buckets swept in order, a few times faster than a binary heap on city-sized graphs. Between routes of
    /// equal time, the one that goes straight on at a junction wins over one that turns there: drivers avoid needless
    /// turns, and on a grid this keeps routes to one or two turns instead of staircases.
    /// </summary>
    internal sealed class BucketSearch
    {
        private readonly RoadNetwork net;
        private readonly int[] weight; // per link, tenths of a second, ≥ 1
        private readonly int[] distance, head, entryNode, entryNext;
        private readonly bool[] settled;

        public BucketSearch(RoadNetwork network)
        {
            net = network;
            weight = network.FreeFlowSeconds.Select(t => Math.Max(1, (int)Math.Round(t * 10))).ToArray();
            // A power of two above the largest weight, so a bucket is found with a mask instead of a division.
            head = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(weight.Length == 0 ? 1 : weight.Max()) + 1)];
            distance = new int[network.NodeCount];
            settled = new bool[network.NodeCount];
            entryNode = new int[network.LinkCount + 1];
            entryNext = new int[network.LinkCount + 1];
        }

        /// <summary>The tree from one origin: the link reaching each node (−1 if none) and the nodes in settling order; returns how many settled.</summary>
        public int Grow(int origin, Span<int> pred, Span<int> order)
        {
            pred.Fill(-1);
            Array.Fill(distance, int.MaxValue);
            Array.Clear(settled);
            Array.Fill(head, -1);
            var mask = head.Length - 1;
            var entries = 0;
            var pending = 0;
            void Offer(int node, int d)
            {
                var b = d & mask;
                entryNode[entries] = node;
                entryNext[entries] = head[b];
                head[b] = entries++;
                pending++;
            }
            distance[origin] = 0;
            Offer(origin, 0);
            var count = 0;
            for (var d = 0; pending > 0; d++)
            {
                var b = d & mask;
                while (head[b] >= 0)
                {
                    var e = head[b];
                    head[b] = entryNext[e];
                    pending--;
                    var u = entryNode[e];
                    if (settled[u] || distance[u] != d) continue;
                    settled[u] = true;
                    order[count++] = u;
                    if (u != origin && net.IsFringe(u)) continue; // trips leave at the fringe, never cut through it
                    for (var k = net.OutStart[u]; k < net.OutStart[u + 1]; k++)
                    {
                        var l = net.Out[k];
                        var v = net.To[l];
                        var dv = d + weight[l];
                        if (settled[v] || dv > distance[v]) continue;
                        if (dv == distance[v])
                        {
                            // A tie: keep going straight if this way does and the other turns (fewer turns, as drivers choose).
                            var current = pred[v];
                            if (Straight(pred[u], l) && !Straight(pred[net.From[current]], current)) pred[v] = l;
                            continue;
                        }
                        distance[v] = dv;
                        pred[v] = l;
                        Offer(v, dv);
                    }
                }
            }
            return count;
        }

        /// <summary>Whether link b carries on in the direction of link a (both enter their intersections from the same side).</summary>
        private bool Straight(int a, int b) => a >= 0 && b >= 0 && net.ApproachAt[a] >= 0 && net.ApproachAt[a] == net.ApproachAt[b];
    }
}
