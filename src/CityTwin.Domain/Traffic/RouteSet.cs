namespace CityTwin.Domain.Traffic;

/// <summary>
/// Shortest free-flow travel-time searches (Dijkstra) from every origin of a demand: for each origin the order in which
/// nodes were settled and each node's travel time from it. Every link with dist(from) + time(link) = dist(to) is on a
/// shortest route, so the routes of equal time — on a grid, every staircase between two junctions — are all kept, and
/// <see cref="Assignment"/> shares each pair's trips among them. Trips never pass through a fringe node. Keeping the
/// searches costs 8 bytes × origins × nodes (10 MB for a 1,024-intersection city); <see cref="Assignment.Compute"/>
/// without one grows each search, uses it and drops it.
/// </summary>
public sealed class RouteSet
{
    internal readonly int[] Origins; // sorted
    internal readonly int[] Distance; // [origin slot × nodes + node], tenths of a second; int.MaxValue unreached
    internal readonly int[] Order; // [origin slot × nodes + k], settled nodes in order
    internal readonly int[] Settled; // per origin slot
    private readonly int nodes;

    private RouteSet(int[] origins, int nodes)
    {
        Origins = origins;
        this.nodes = nodes;
        Distance = new int[origins.Length * nodes];
        Order = new int[origins.Length * nodes];
        Settled = new int[origins.Length];
    }

    /// <summary>Searches from every node of the network that can be an origin (all nodes).</summary>
    public static RouteSet ShortestFreeFlow(RoadNetwork network) => ShortestFreeFlow(network, Enumerable.Range(0, network.NodeCount));

    public static RouteSet ShortestFreeFlow(RoadNetwork network, IEnumerable<int> origins)
    {
        var set = new RouteSet(origins.Distinct().Order().ToArray(), network.NodeCount);
        var search = new BucketSearch(network);
        for (var k = 0; k < set.Origins.Length; k++)
            set.Settled[k] = search.Grow(set.Origins[k], set.Distance.AsSpan(k * set.nodes, set.nodes), set.Order.AsSpan(k * set.nodes, set.nodes));
        return set;
    }

    /// <summary>The slot of an origin in these searches, or −1.</summary>
    internal int Slot(int origin) => Array.BinarySearch(Origins, origin) is var k and >= 0 ? k : -1;

    internal ReadOnlySpan<int> Distances(int slot) => Distance.AsSpan(slot * nodes, nodes);
    internal ReadOnlySpan<int> SettledOrder(int slot) => Order.AsSpan(slot * nodes, Settled[slot]);

    /// <summary>Link times in whole tenths of a second (at least 1), as the searches count them.</summary>
    internal static int[] Weights(RoadNetwork network) => network.FreeFlowSeconds.Select(t => Math.Max(1, (int)Math.Round(t * 10))).ToArray();

    /// <summary>Whether a link is on one of the shortest routes from <paramref name="origin"/> (its search's <paramref name="distance"/>).</summary>
    internal static bool OnRoute(RoadNetwork network, int[] weight, ReadOnlySpan<int> distance, int origin, int link)
    {
        var u = network.From[link];
        return distance[u] != int.MaxValue && distance[u] + weight[link] == distance[network.To[link]] && (u == origin || !network.IsFringe(u));
    }

    /// <summary>
    /// Dijkstra with a bucket queue (Dial's algorithm): link times in whole tenths of a second, so the queue is an
    /// array of buckets swept in order, a few times faster than a binary heap on city-sized graphs.
    /// </summary>
    internal sealed class BucketSearch
    {
        private readonly RoadNetwork net;
        private readonly int[] weight; // per link, tenths of a second, ≥ 1
        private readonly int[] head, entryNode, entryNext;
        private readonly bool[] settled;

        public BucketSearch(RoadNetwork network)
        {
            net = network;
            weight = Weights(network);
            // A power of two above the largest weight, so a bucket is found with a mask instead of a division.
            head = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(weight.Length == 0 ? 1 : weight.Max()) + 1)];
            settled = new bool[network.NodeCount];
            entryNode = new int[network.LinkCount + 1];
            entryNext = new int[network.LinkCount + 1];
        }

        /// <summary>The search from one origin: each node's time from it (int.MaxValue if unreached) and the nodes in settling order; returns how many settled.</summary>
        public int Grow(int origin, Span<int> distance, Span<int> order)
        {
            distance.Fill(int.MaxValue);
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
                        if (settled[v] || dv >= distance[v]) continue;
                        distance[v] = dv;
                        Offer(v, dv);
                    }
                }
            }
            return count;
        }
    }
}
