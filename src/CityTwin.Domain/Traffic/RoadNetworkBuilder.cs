using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Traffic;

/// <summary>
/// Assembles a <see cref="RoadNetwork"/>: intersections first, then fringe nodes, then links. The approach of each
/// link is the compass side it enters its downstream intersection from (a link arriving from the north is the north
/// approach), taken from the node positions.
/// </summary>
public sealed class RoadNetworkBuilder
{
    /// <summary>Length of the links that connect a boundary intersection to the fringe, where trips enter and leave.</summary>
    public const double DefaultFringeLengthM = 200;

    private readonly List<(string Id, double X, double Y, string District, SignalPlan Plan, ControlMode Mode)> intersections = [];
    private readonly List<(string Id, double X, double Y, string District)> fringes = [];
    private readonly List<(int From, int To, double LengthM, int Lanes, double SpeedKmh, double Saturation)> links = [];

    public int AddIntersection(string id, double xM, double yM, string district, SignalPlan plan, ControlMode mode = ControlMode.FixedTime)
    {
        if (fringes.Count > 0) throw new InvalidOperationException("Add every intersection before the first fringe node.");
        intersections.Add((id, xM, yM, district, plan, mode));
        return intersections.Count - 1;
    }

    public int AddFringe(string id, double xM, double yM, string district)
    {
        fringes.Add((id, xM, yM, district));
        return intersections.Count + fringes.Count - 1;
    }

    public int AddLink(int from, int to, double lengthM, int lanes, double speedKmh, double saturationFlowPerLane = RoadNetwork.DefaultSaturationFlowPerLane)
    {
        var nodes = intersections.Count + fringes.Count;
        if ((uint)from >= nodes || (uint)to >= nodes || from == to) throw new ArgumentOutOfRangeException(nameof(to), "A link joins two different existing nodes.");
        if (!(lengthM > 0) || lanes < 1 || !(speedKmh > 0) || !(saturationFlowPerLane > 0))
            throw new ArgumentOutOfRangeException(nameof(lengthM), "A link needs a positive length, lanes, speed and saturation flow.");
        links.Add((from, to, lengthM, lanes, speedKmh, saturationFlowPerLane));
        return links.Count - 1;
    }

    public RoadNetwork Build()
    {
        var n = intersections.Count + fringes.Count;
        var ids = new string[n];
        var x = new double[n];
        var y = new double[n];
        var district = new int[n];
        var districtIds = new List<string>();
        var districtIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int District(string d)
        {
            if (!districtIndex.TryGetValue(d, out var i)) { districtIndex[d] = i = districtIds.Count; districtIds.Add(d); }
            return i;
        }
        for (var i = 0; i < intersections.Count; i++)
            (ids[i], x[i], y[i], district[i]) = (intersections[i].Id, intersections[i].X, intersections[i].Y, District(intersections[i].District));
        for (var k = 0; k < fringes.Count; k++)
        {
            var i = intersections.Count + k;
            (ids[i], x[i], y[i], district[i]) = (fringes[k].Id, fringes[k].X, fringes[k].Y, District(fringes[k].District));
        }
        if (ids.Distinct(StringComparer.Ordinal).Count() != n) throw new InvalidOperationException("Node ids must be unique.");

        var m = links.Count;
        int[] from = new int[m], to = new int[m], lanes = new int[m];
        double[] length = new double[m], speed = new double[m], saturation = new double[m];
        var approach = new sbyte[m];
        for (var l = 0; l < m; l++)
        {
            var link = links[l];
            (from[l], to[l], length[l], lanes[l], speed[l], saturation[l]) = (link.From, link.To, link.LengthM, link.Lanes, link.SpeedKmh / 3.6, link.Saturation);
            approach[l] = link.To < intersections.Count ? (sbyte)Side(x[link.To], y[link.To], x[link.From], y[link.From]) : (sbyte)-1;
        }
        return new RoadNetwork(intersections.Count, ids, district, x, y, [.. districtIds],
            intersections.Select(i => i.Plan).ToArray(), intersections.Select(i => i.Mode).ToArray(),
            from, to, length, lanes, speed, saturation, approach);
    }

    /// <summary>The compass side of (x, y) on which (fromX, fromY) lies.</summary>
    internal static Approach Side(double x, double y, double fromX, double fromY)
    {
        double dx = fromX - x, dy = fromY - y;
        return Math.Abs(dy) >= Math.Abs(dx) ? (dy > 0 ? Approach.North : Approach.South) : (dx > 0 ? Approach.East : Approach.West);
    }

    /// <summary>
    /// The road network of the twin's intersections: each intersection's <see cref="AssetDependencies.Neighbours"/> are its
    /// outgoing links (neighbours outside the given assets are left out); every side of an intersection with no
    /// incoming link gets a fringe node <paramref name="fringeLengthM"/> away, joined both ways by links like the
    /// intersection's others, so trips can enter and leave there (the boundary of a grid city). Positions are WGS84
    /// projected onto a plane at the first intersection, which is exact enough at city scale.
    /// </summary>
    public static RoadNetwork FromAssets(IEnumerable<Asset> assets, double fringeLengthM = DefaultFringeLengthM) =>
        FromSnapshot(Scenarios.TwinSnapshot.FromAssets(assets), fringeLengthM);

    /// <summary>As <see cref="FromAssets"/>, from a snapshot; intersection i of the snapshot is node i.</summary>
    public static RoadNetwork FromSnapshot(Scenarios.TwinSnapshot snapshot, double fringeLengthM = DefaultFringeLengthM)
    {
        var builder = new RoadNetworkBuilder();
        var n = snapshot.IntersectionCount;
        if (n == 0) return builder.Build();
        var origin = new GeoPoint(snapshot.IntersectionLon[0], snapshot.IntersectionLat[0]);
        var positions = new (double X, double Y)[n];
        for (var i = 0; i < n; i++)
        {
            positions[i] = Project(origin, new GeoPoint(snapshot.IntersectionLon[i], snapshot.IntersectionLat[i]));
            builder.AddIntersection(snapshot.IntersectionIds[i], positions[i].X, positions[i].Y, snapshot.Districts[snapshot.IntersectionDistrict[i]],
                snapshot.IntersectionPlan[i], snapshot.IntersectionMode[i]);
        }
        var free = new bool[n * 4];
        Array.Fill(free, true);
        var typical = new (int Lanes, double Speed)[n];
        for (var i = 0; i < n; i++)
        {
            typical[i] = (2, 50);
            for (var r = snapshot.RoadStart[i]; r < snapshot.RoadStart[i + 1]; r++)
            {
                var j = snapshot.RoadTo[r];
                builder.AddLink(i, j, snapshot.RoadLengthM[r], snapshot.RoadLanes[r], snapshot.RoadSpeedKmh[r]);
                free[4 * j + (int)Side(positions[j].X, positions[j].Y, positions[i].X, positions[i].Y)] = false;
                typical[i] = (snapshot.RoadLanes[r], snapshot.RoadSpeedKmh[r]);
            }
        }
        for (var i = 0; i < n; i++)
        for (var s = 0; s < 4; s++)
        {
            if (!free[4 * i + s]) continue;
            var (dx, dy) = (Approach)s switch { Approach.North => (0.0, 1.0), Approach.East => (1.0, 0.0), Approach.South => (0.0, -1.0), _ => (-1.0, 0.0) };
            var f = builder.AddFringe($"{snapshot.IntersectionIds[i]}:fringe-{((Approach)s).ToString().ToLowerInvariant()}",
                positions[i].X + dx * fringeLengthM, positions[i].Y + dy * fringeLengthM, snapshot.Districts[snapshot.IntersectionDistrict[i]]);
            builder.AddLink(f, i, fringeLengthM, typical[i].Lanes, typical[i].Speed);
            builder.AddLink(i, f, fringeLengthM, typical[i].Lanes, typical[i].Speed);
        }
        return builder.Build();
    }

    private static (double X, double Y) Project(GeoPoint origin, GeoPoint p)
    {
        const double metresPerDegree = 6_371_000 * Math.PI / 180;
        return ((p.Lon - origin.Lon) * metresPerDegree * Math.Cos(origin.Lat * Math.PI / 180), (p.Lat - origin.Lat) * metresPerDegree);
    }
}
