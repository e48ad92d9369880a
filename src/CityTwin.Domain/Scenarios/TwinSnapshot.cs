using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Cascades;

namespace CityTwin.Domain.Scenarios;

/// <summary>
/// The twin frozen for a what-if run: what the models need of every asset, as flat arrays indexed per asset type
/// (struct of arrays), with references between assets as indices (−1 for none). Forking is copying the arrays; a
/// 1,000-intersection city is a few hundred kilobytes. Build one with <see cref="FromAssets"/>.
/// </summary>
[GenerateSerializer, Alias("TwinSnapshot")]
public sealed class TwinSnapshot
{
    /// <summary>A pole this close to an intersection lights the junction and is never dimmed.</summary>
    public const double JunctionRadiusM = 45;

    [Id(0)] public string[] Districts { get; init; } = [];
    [Id(1)] public string[] Feeders { get; init; } = [];
    [Id(2)] public int[] FeederDistrict { get; init; } = [];

    // Intersections.
    [Id(3)] public string[] IntersectionIds { get; init; } = [];
    [Id(4)] public int[] IntersectionDistrict { get; init; } = [];
    [Id(5)] public double[] IntersectionLon { get; init; } = [];
    [Id(6)] public double[] IntersectionLat { get; init; } = [];
    [Id(7)] public ControlMode[] IntersectionMode { get; init; } = [];
    [Id(8)] public SignalPlan[] IntersectionPlan { get; init; } = [];
    [Id(9)] public bool[] IntersectionFault { get; init; } = [];
    [Id(10)] public int[] IntersectionFeeder { get; init; } = [];
    /// <summary>Queued vehicles per approach, [intersection × 4 + approach].</summary>
    [Id(11)] public double[] IntersectionQueue { get; init; } = [];
    // Outgoing roads (CSR): roads of intersection i are [RoadStart[i], RoadStart[i + 1]).
    [Id(12)] public int[] RoadStart { get; init; } = [0];
    [Id(13)] public int[] RoadTo { get; init; } = [];
    [Id(14)] public double[] RoadLengthM { get; init; } = [];
    [Id(15)] public int[] RoadLanes { get; init; } = [];
    [Id(16)] public double[] RoadSpeedKmh { get; init; } = [];

    // Cameras.
    [Id(17)] public string[] CameraIds { get; init; } = [];
    [Id(18)] public int[] CameraIntersection { get; init; } = [];
    [Id(19)] public int[] CameraDistrict { get; init; } = [];
    [Id(20)] public int[] CameraFeeder { get; init; } = [];
    [Id(21)] public int[] CameraBackhaul { get; init; } = [];
    /// <summary>Working before anything is perturbed: powered, feed on, not faulted.</summary>
    [Id(22)] public bool[] CameraWorking { get; init; } = [];
    /// <summary>The approach each camera watches (<see cref="Approach"/>), −1 unknown.</summary>
    [Id(36)] public int[] CameraApproach { get; init; } = [];
    /// <summary>Each camera's latest one-minute vehicle count as veh/h, −1 none (no count, or its feed is lost); and when it was read (UTC ticks).</summary>
    [Id(37)] public double[] CameraCountPerHour { get; init; } = [];
    [Id(38)] public long[] CameraCountAt { get; init; } = [];
    /// <summary>
    /// Each intersection's latest flow entering it as its controller reported it (<c>flowVehPerHour</c>), −1 none; and
    /// when (UTC ticks). A flow of 0 counts as none: the state cannot tell a reported 0 from a flow never reported.
    /// </summary>
    [Id(39)] public double[] IntersectionFlowPerHour { get; init; } = [];
    [Id(40)] public long[] IntersectionFlowAt { get; init; } = [];

    // Poles.
    [Id(23)] public string[] PoleIds { get; init; } = [];
    [Id(24)] public int[] PoleDistrict { get; init; } = [];
    [Id(25)] public int[] PoleFeeder { get; init; } = [];
    [Id(26)] public double[] PoleRatedW { get; init; } = [];
    /// <summary>Output percent the pole is configured to give when lit.</summary>
    [Id(27)] public double[] PoleDimLevel { get; init; } = [];
    [Id(28)] public bool[] PoleJunction { get; init; } = [];
    [Id(29)] public bool[] PoleWorking { get; init; } = [];
    /// <summary>Offline in the live twin (unpowered); a faulted lamp is not working but not offline. Empty in snapshots taken before it was kept.</summary>
    [Id(35)] public bool[] PoleOffline { get; init; } = [];

    // LEO ground terminals (link assets).
    [Id(30)] public string[] LinkIds { get; init; } = [];
    [Id(31)] public int[] LinkDistrict { get; init; } = [];
    [Id(32)] public double[] LinkLon { get; init; } = [];
    [Id(33)] public double[] LinkLat { get; init; } = [];
    [Id(34)] public bool[] LinkWorking { get; init; } = [];

    public int IntersectionCount => IntersectionIds.Length;
    public int AssetCount => IntersectionIds.Length + CameraIds.Length + PoleIds.Length + LinkIds.Length;

    /// <summary>The centre of the city (mean of the intersections, else of everything located).</summary>
    public GeoPoint Centre()
    {
        double lon = 0, lat = 0;
        var n = 0;
        for (var i = 0; i < IntersectionLon.Length; i++, n++) (lon, lat) = (lon + IntersectionLon[i], lat + IntersectionLat[i]);
        for (var k = 0; n == 0 && k < LinkLon.Length; k++) (lon, lat) = (lon + LinkLon[k], lat + LinkLat[k]);
        var count = Math.Max(1, n == 0 ? LinkLon.Length : n);
        return new GeoPoint(lon / count, lat / count);
    }

    /// <summary>A copy to change independently: every array copied (strings and plans are immutable and shared).</summary>
    public TwinSnapshot Fork() => new()
    {
        Districts = Copy(Districts), Feeders = Copy(Feeders), FeederDistrict = Copy(FeederDistrict),
        IntersectionIds = Copy(IntersectionIds), IntersectionDistrict = Copy(IntersectionDistrict), IntersectionLon = Copy(IntersectionLon),
        IntersectionLat = Copy(IntersectionLat), IntersectionMode = Copy(IntersectionMode), IntersectionPlan = Copy(IntersectionPlan),
        IntersectionFault = Copy(IntersectionFault), IntersectionFeeder = Copy(IntersectionFeeder), IntersectionQueue = Copy(IntersectionQueue),
        IntersectionFlowPerHour = Copy(IntersectionFlowPerHour), IntersectionFlowAt = Copy(IntersectionFlowAt),
        RoadStart = Copy(RoadStart), RoadTo = Copy(RoadTo), RoadLengthM = Copy(RoadLengthM), RoadLanes = Copy(RoadLanes), RoadSpeedKmh = Copy(RoadSpeedKmh),
        CameraIds = Copy(CameraIds), CameraIntersection = Copy(CameraIntersection), CameraDistrict = Copy(CameraDistrict), CameraFeeder = Copy(CameraFeeder),
        CameraBackhaul = Copy(CameraBackhaul), CameraWorking = Copy(CameraWorking),
        CameraApproach = Copy(CameraApproach), CameraCountPerHour = Copy(CameraCountPerHour), CameraCountAt = Copy(CameraCountAt),
        PoleIds = Copy(PoleIds), PoleDistrict = Copy(PoleDistrict), PoleFeeder = Copy(PoleFeeder), PoleRatedW = Copy(PoleRatedW),
        PoleDimLevel = Copy(PoleDimLevel), PoleJunction = Copy(PoleJunction), PoleWorking = Copy(PoleWorking),
        PoleOffline = Copy(PoleOffline),
        LinkIds = Copy(LinkIds), LinkDistrict = Copy(LinkDistrict), LinkLon = Copy(LinkLon), LinkLat = Copy(LinkLat), LinkWorking = Copy(LinkWorking),
    };

    private static T[] Copy<T>(T[] a) => a.Length == 0 ? a : (T[])a.Clone();

    /// <summary>
    /// Freezes a set of assets (a city, or a district with what it depends on). References to assets outside the set
    /// become −1; an intersection's roads to intersections outside the set are left out.
    /// </summary>
    public static TwinSnapshot FromAssets(IEnumerable<Asset> assets)
    {
        var list = assets.ToList();
        var districts = new Index();
        var feeders = new Index();
        var feederDistrict = new List<int>();
        int Feeder(string? id, int district)
        {
            if (id is null) return -1;
            var before = feeders.Count;
            var f = feeders.Of(id);
            if (feeders.Count > before) feederDistrict.Add(district);
            return f;
        }
        var intersections = list.Where(a => a.Type == AssetType.Intersection).ToList();
        var cameras = list.Where(a => a.Type == AssetType.Camera).ToList();
        var poles = list.Where(a => a.Type == AssetType.Pole).ToList();
        var links = list.Where(a => a.Type == AssetType.Link).ToList();
        var intersectionIndex = Positions(intersections);
        var linkIndex = Positions(links);

        var n = intersections.Count;
        var queue = new double[4 * n];
        var roadStart = new int[n + 1];
        var roadTo = new List<int>();
        var roadLength = new List<double>();
        var roadLanes = new List<int>();
        var roadSpeed = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var state = intersections[i].Intersection ?? new IntersectionState();
            for (var a = 0; a < 4 && a < state.QueueLength.Length; a++) queue[4 * i + a] = Math.Max(0, state.QueueLength[a]);
            foreach (var road in intersections[i].Dependencies.Neighbours)
            {
                if (!intersectionIndex.TryGetValue(road.IntersectionId, out var j) || j == i) continue;
                roadTo.Add(j);
                roadLength.Add(Math.Max(1, road.LengthM));
                roadLanes.Add(Math.Max(1, road.Lanes));
                roadSpeed.Add(road.SpeedLimitKmh > 0 ? road.SpeedLimitKmh : 50);
            }
            roadStart[i + 1] = roadTo.Count;
        }

        // Initialisers run in order: the district and feeder lists are complete only after every asset has been seen.
        return new TwinSnapshot
        {
            IntersectionIds = intersections.Select(a => a.Id).ToArray(),
            IntersectionDistrict = intersections.Select(a => districts.Of(a.District)).ToArray(),
            IntersectionLon = intersections.Select(a => a.Location.Lon).ToArray(),
            IntersectionLat = intersections.Select(a => a.Location.Lat).ToArray(),
            IntersectionMode = intersections.Select(a => a.Intersection?.Mode ?? ControlMode.FixedTime).ToArray(),
            IntersectionPlan = intersections.Select(a => a.Intersection?.Plan ?? SignalPlan.TwoPhase()).ToArray(),
            IntersectionFault = intersections.Select(a => a.Intersection?.ControllerFault == true || a.Status is AssetStatus.Faulted or AssetStatus.Offline).ToArray(),
            IntersectionFeeder = intersections.Select(a => Feeder(a.Dependencies.PowerFeederId, districts.Of(a.District))).ToArray(),
            IntersectionQueue = queue,
            IntersectionFlowPerHour = intersections.Select(a => a.Intersection is { FlowVehPerHour: > 0 } i && a.TelemetryAt is not null ? i.FlowVehPerHour : -1).ToArray(),
            IntersectionFlowAt = intersections.Select(a => a.TelemetryAt?.UtcTicks ?? 0).ToArray(),
            RoadStart = roadStart, RoadTo = [.. roadTo], RoadLengthM = [.. roadLength], RoadLanes = [.. roadLanes], RoadSpeedKmh = [.. roadSpeed],

            CameraIds = cameras.Select(a => a.Id).ToArray(),
            CameraIntersection = cameras.Select(a => a.Dependencies.WatchedIntersectionId is { } w && intersectionIndex.TryGetValue(w, out var i) ? i : -1).ToArray(),
            CameraDistrict = cameras.Select(a => districts.Of(a.District)).ToArray(),
            CameraFeeder = cameras.Select(a => Feeder(a.Dependencies.PowerFeederId, districts.Of(a.District))).ToArray(),
            CameraBackhaul = cameras.Select(a => Backhaul(a, linkIndex)).ToArray(),
            CameraWorking = cameras.Select(a => Working(a) && a.Camera is not { FeedOnline: false } and not { Powered: false }).ToArray(),
            CameraApproach = cameras.Select(a => a.Camera is { } c ? (int)c.Approach : -1).ToArray(),
            CameraCountPerHour = cameras.Select(a => a.Camera is { FeedOnline: true } c && a.TelemetryAt is not null ? c.VehicleCount * AdaptiveTiming.CountsPerHour : -1).ToArray(),
            CameraCountAt = cameras.Select(a => a.TelemetryAt?.UtcTicks ?? 0).ToArray(),

            PoleIds = poles.Select(a => a.Id).ToArray(),
            PoleDistrict = poles.Select(a => districts.Of(a.District)).ToArray(),
            PoleFeeder = poles.Select(a => Feeder(a.Dependencies.PowerFeederId, districts.Of(a.District))).ToArray(),
            PoleRatedW = poles.Select(a => a.Pole?.RatedPowerW ?? 60).ToArray(),
            PoleDimLevel = poles.Select(a => a.Pole?.DimLevel ?? 100).ToArray(),
            PoleJunction = JunctionPoles(poles, intersections),
            PoleWorking = poles.Select(a => Working(a) && a.Pole is not { LampFault: true } and not { DriverFault: true } and not { Powered: false }).ToArray(),
            PoleOffline = poles.Select(a => a.Status == AssetStatus.Offline).ToArray(),

            LinkIds = links.Select(a => a.Id).ToArray(),
            LinkDistrict = links.Select(a => districts.Of(a.District)).ToArray(),
            LinkLon = links.Select(a => a.Location.Lon).ToArray(),
            LinkLat = links.Select(a => a.Location.Lat).ToArray(),
            LinkWorking = links.Select(Working).ToArray(),

            Districts = [.. districts.Ids],
            Feeders = [.. feeders.Ids],
            FeederDistrict = [.. feederDistrict],
        };
    }


    private static bool Working(Asset a) => a.Status is AssetStatus.Operational or AssetStatus.Degraded;

    private static int Backhaul(Asset a, Dictionary<string, int> links) =>
        a.Dependencies.BackhaulLinkId is { } id && links.TryGetValue(id, out var k) ? k : -1;

    private static Dictionary<string, int> Positions(List<Asset> assets)
    {
        var index = new Dictionary<string, int>(assets.Count, StringComparer.Ordinal);
        for (var i = 0; i < assets.Count; i++) index.TryAdd(assets[i].Id, i);
        return index;
    }

    /// <summary>Poles within <see cref="JunctionRadiusM"/> of an intersection, found through a grid of cells of that size.</summary>
    private static bool[] JunctionPoles(List<Asset> poles, List<Asset> intersections)
    {
        var junction = new bool[poles.Count];
        if (poles.Count == 0 || intersections.Count == 0) return junction;
        var origin = intersections[0].Location;
        const double metresPerDegree = 6_371_000 * Math.PI / 180;
        var cosLat = Math.Cos(origin.Lat * Math.PI / 180);
        (long, long) Cell(GeoPoint p) => ((long)Math.Floor((p.Lon - origin.Lon) * metresPerDegree * cosLat / JunctionRadiusM),
                                          (long)Math.Floor((p.Lat - origin.Lat) * metresPerDegree / JunctionRadiusM));
        var cells = new Dictionary<(long, long), List<GeoPoint>>();
        foreach (var x in intersections)
        {
            var c = Cell(x.Location);
            if (!cells.TryGetValue(c, out var members)) cells[c] = members = [];
            members.Add(x.Location);
        }
        for (var p = 0; p < poles.Count; p++)
        {
            var (cx, cy) = Cell(poles[p].Location);
            for (var dx = -1; dx <= 1 && !junction[p]; dx++)
            for (var dy = -1; dy <= 1 && !junction[p]; dy++)
                if (cells.TryGetValue((cx + dx, cy + dy), out var near))
                    junction[p] = near.Any(x => x.DistanceTo(poles[p].Location) <= JunctionRadiusM);
        }
        return junction;
    }

    private sealed class Index
    {
        public readonly List<string> Ids = [];
        private readonly Dictionary<string, int> positions = new(StringComparer.Ordinal);
        public int Count => Ids.Count;

        public int Of(string id)
        {
            if (positions.TryGetValue(id, out var k)) return k;
            positions[id] = Ids.Count;
            Ids.Add(id);
            return Ids.Count - 1;
        }
    }
}
