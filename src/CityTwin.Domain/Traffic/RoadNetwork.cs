using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Traffic;

/// <summary>
/// A directed road network as flat arrays (struct of arrays): nodes are the signalised intersections
/// [0, <see cref="IntersectionCount"/>) followed by fringe nodes, where trips enter and leave the modelled area.
/// Immutable once built; a baseline and its variants share one instance. Build it with <see cref="RoadNetworkBuilder"/>
/// or <see cref="GridNetwork"/>.
/// </summary>
public sealed class RoadNetwork
{
    /// <summary>Road space per queued vehicle: storage = length × lanes / 7.5 m (MODELS.md, MATSim's default).</summary>
    public const double VehicleSpacingM = 7.5;
    /// <summary>Urban rule of thumb, veh/h/lane (MODELS.md; HCM's base is 1,900 pc/h/lane).</summary>
    public const double DefaultSaturationFlowPerLane = 1_800;

    // Nodes.
    internal readonly string[] NodeIds;
    internal readonly int[] NodeDistrict;
    internal readonly double[] NodeX, NodeY; // metres east and north of an arbitrary origin
    internal readonly string[] DistrictIds;
    // Intersections only.
    internal readonly SignalPlan[] Plans;
    internal readonly ControlMode[] Modes;
    // Links.
    internal readonly int[] From, To;
    internal readonly double[] LengthM, FreeSpeedMps;
    internal readonly int[] Lanes;
    /// <summary>The approach a link enters its downstream intersection by; −1 for links into a fringe node.</summary>
    internal readonly sbyte[] ApproachAt;
    internal readonly double[] Storage, FreeFlowSeconds, CapacityPerSecond;
    // Out- and in-links of each node (CSR: the links of node n are Out[OutStart[n]..OutStart[n + 1]]).
    internal readonly int[] OutStart, Out, InStart, In;

    private readonly Dictionary<string, int> nodeIndex;

    internal RoadNetwork(
        int intersections, string[] nodeIds, int[] nodeDistrict, double[] nodeX, double[] nodeY, string[] districtIds,
        SignalPlan[] plans, ControlMode[] modes,
        int[] from, int[] to, double[] lengthM, int[] lanes, double[] freeSpeedMps, double[] saturationFlowPerLane, sbyte[] approachAt)
    {
        IntersectionCount = intersections;
        (NodeIds, NodeDistrict, NodeX, NodeY, DistrictIds, Plans, Modes) = (nodeIds, nodeDistrict, nodeX, nodeY, districtIds, plans, modes);
        (From, To, LengthM, Lanes, FreeSpeedMps, ApproachAt) = (from, to, lengthM, lanes, freeSpeedMps, approachAt);
        var links = from.Length;
        Storage = new double[links];
        FreeFlowSeconds = new double[links];
        CapacityPerSecond = new double[links];
        for (var l = 0; l < links; l++)
        {
            Storage[l] = Math.Max(1, lengthM[l] * lanes[l] / VehicleSpacingM);
            FreeFlowSeconds[l] = lengthM[l] / freeSpeedMps[l];
            CapacityPerSecond[l] = saturationFlowPerLane[l] * lanes[l] / 3_600;
        }
        (OutStart, Out) = Csr(nodeIds.Length, from);
        (InStart, In) = Csr(nodeIds.Length, to);
        nodeIndex = new Dictionary<string, int>(nodeIds.Length, StringComparer.Ordinal);
        for (var n = 0; n < nodeIds.Length; n++) nodeIndex[nodeIds[n]] = n;
    }

    public int IntersectionCount { get; }
    public int NodeCount => NodeIds.Length;
    public int LinkCount => From.Length;
    public IReadOnlyList<string> Districts => DistrictIds;

    public string NodeId(int node) => NodeIds[node];
    /// <summary>The node with this id, or −1.</summary>
    public int NodeIndex(string id) => nodeIndex.GetValueOrDefault(id, -1);
    public bool IsFringe(int node) => node >= IntersectionCount;
    public int DistrictOf(int node) => NodeDistrict[node];
    public SignalPlan Plan(int intersection) => Plans[intersection];
    public ControlMode Mode(int intersection) => Modes[intersection];

    /// <summary>
    /// Which way a vehicle turns going from one link into the next, by the angle between them: more than 30° left or
    /// right is a turn, more than 150° is turning back.
    /// </summary>
    internal Turn TurnOf(int inLink, int outLink)
    {
        var (ix, iy) = (NodeX[To[inLink]] - NodeX[From[inLink]], NodeY[To[inLink]] - NodeY[From[inLink]]);
        var (ox, oy) = (NodeX[To[outLink]] - NodeX[From[outLink]], NodeY[To[outLink]] - NodeY[From[outLink]]);
        var degrees = Math.Atan2(ix * oy - iy * ox, ix * ox + iy * oy) * 180 / Math.PI;
        return Math.Abs(degrees) > 150 ? Turn.Back : degrees > 30 ? Turn.Left : degrees < -30 ? Turn.Right : Turn.Straight;
    }

    public int LinkFrom(int link) => From[link];
    public int LinkTo(int link) => To[link];
    /// <summary>Vehicles the link holds, moving and queued.</summary>
    public double LinkStorage(int link) => Storage[link];
    /// <summary>Saturation flow of all lanes, veh/h.</summary>
    public double LinkCapacityPerHour(int link) => CapacityPerSecond[link] * 3_600;
    public double LinkFreeFlowSeconds(int link) => FreeFlowSeconds[link];
    /// <summary>The approach by which the link enters its downstream intersection, or null if it leads to the fringe.</summary>
    public Approach? LinkApproach(int link) => ApproachAt[link] < 0 ? null : (Approach)ApproachAt[link];

    /// <summary>The link from one node to another, or −1.</summary>
    public int LinkBetween(int from, int to)
    {
        for (var k = OutStart[from]; k < OutStart[from + 1]; k++)
            if (To[Out[k]] == to) return Out[k];
        return -1;
    }

    /// <summary>Groups link indices by node: links[start[n]..start[n + 1]] are those whose key is n, in link order.</summary>
    private static (int[] Start, int[] Links) Csr(int nodes, int[] key)
    {
        var start = new int[nodes + 1];
        foreach (var n in key) start[n + 1]++;
        for (var n = 0; n < nodes; n++) start[n + 1] += start[n];
        var links = new int[key.Length];
        var next = start[..^1];
        for (var l = 0; l < key.Length; l++) links[next[key[l]]++] = l;
        return (start, links);
    }
}
