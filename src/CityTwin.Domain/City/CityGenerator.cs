using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;

namespace CityTwin.Domain.City;

/// <summary>
/// A deterministic synthetic city: a grid of signalised intersections with blocks of 150–250 m, a light pole
/// every 30–40 m along each road, 1–4 cameras per intersection on distinct approaches, and 2–4 LEO ground
/// terminals per district as backhaul. Districts are rectangles of the grid, each with a few power feeders.
/// </summary>
public static class CityGenerator
{
    public const int MinAssets = 1_000;
    public const int MaxAssets = 1_000_000;

    // Expected assets per piece, used to size the grid: a block averages 200 m and a pole every 35 m.
    private const double PolesPerSegment = 200.0 / 35.0 - 0.5;
    private const double CamerasPerIntersection = 2.5;
    private const double LinksPerDistrict = 3;
    private const double EarthRadiusKm = 6_371, LeoAltitudeKm = 550, LightKmPerMs = 299.792458;

    public static GeneratedCity Generate(CitySpec spec)
    {
        if (spec.TargetAssets is < MinAssets or > MaxAssets)
            throw new ArgumentOutOfRangeException(nameof(spec), $"TargetAssets must be {MinAssets:N0}–{MaxAssets:N0}");
        var random = new Random(spec.Seed);
        var districtCount = Math.Clamp(spec.Districts ?? (int)Math.Round(spec.TargetAssets / 2_500.0), 1, 400);
        var (rows, cols) = GridFor(spec.TargetAssets, districtCount);
        var districtRows = Math.Max(1, (int)Math.Floor(Math.Sqrt(districtCount)));
        var districtCols = (int)Math.Ceiling(districtCount / (double)districtRows);
        var districts = Enumerable.Range(1, districtRows * districtCols).Select(i => $"d{i.ToString().PadLeft(Math.Max(2, Digits(districtRows * districtCols)), '0')}").ToArray();

        // Grid geometry: cumulative block lengths, metres east and south of the origin.
        var x = Cumulative(cols, random);
        var y = Cumulative(rows, random);
        GeoPoint At(double east, double south) => spec.Origin.Offset(east, -south);
        int DistrictOf(int r, int c) => r * districtRows / rows * districtCols + c * districtCols / cols;
        string Feeder(int r, int c) => $"feeder-{districts[DistrictOf(r, c)]}-{1 + r * districtRows * 3 / rows % 3}";

        var assets = new List<Asset>((int)(spec.TargetAssets * 1.1));

        // LEO ground terminals: 2–4 per district, spread across it.
        var terminals = new List<(string Id, double East, double South)>[districts.Length];
        for (var d = 0; d < districts.Length; d++)
        {
            terminals[d] = [];
            int r0 = d / districtCols * rows / districtRows, r1 = (d / districtCols + 1) * rows / districtRows - 1;
            int c0 = d % districtCols * cols / districtCols, c1 = (d % districtCols + 1) * cols / districtCols - 1;
            var count = 2 + random.Next(3);
            for (var k = 0; k < count; k++)
            {
                var east = x[Math.Max(0, c0)] + (x[Math.Max(c0, c1)] - x[Math.Max(0, c0)]) * (k + 0.5) / count + 15;
                var south = y[Math.Max(0, r0)] + (y[Math.Max(r0, r1)] - y[Math.Max(0, r0)]) * random.NextDouble() + 15;
                var id = $"leo-{districts[d]}-{k + 1}";
                terminals[d].Add((id, east, south));
                assets.Add(Link(id, At(east, south), districts[d], random));
            }
        }
        string Backhaul(int d, double east, double south) =>
            terminals[d].MinBy(t => (t.East - east) * (t.East - east) + (t.South - south) * (t.South - south)).Id;

        // Intersections with their outgoing roads; arterials every fourth row and column.
        var intersectionDigits = Math.Max(4, Digits(rows * cols));
        string IntersectionId(int r, int c) => $"int-{(r * cols + c + 1).ToString().PadLeft(intersectionDigits, '0')}";
        static int Lanes(bool arterial, bool collector) => arterial ? 3 : collector ? 2 : 1;
        static double Speed(int lanes) => lanes switch { 3 => 70, 2 => 50, _ => 30 };
        int RowLanes(int r) => Lanes(r % 4 == 0, r % 2 == 0);
        int ColLanes(int c) => Lanes(c % 4 == 0, c % 2 == 0);

        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
        {
            var neighbours = new List<RoadLink>(4);
            void Road(int nr, int nc, int lanes)
            {
                if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) return;
                var length = Math.Abs(x[nc] - x[c]) + Math.Abs(y[nr] - y[r]);
                neighbours.Add(new RoadLink { IntersectionId = IntersectionId(nr, nc), LengthM = Math.Round(length, 1), Lanes = lanes, SpeedLimitKmh = Speed(lanes) });
            }
            Road(r - 1, c, ColLanes(c));
            Road(r, c + 1, RowLanes(r));
            Road(r + 1, c, ColLanes(c));
            Road(r, c - 1, RowLanes(r));
            var d = DistrictOf(r, c);
            assets.Add(new Asset
            {
                Id = IntersectionId(r, c),
                Type = AssetType.Intersection,
                Name = $"Junction R{r + 1}/C{c + 1}",
                Location = At(x[c], y[r]),
                District = districts[d],
                Dependencies = new AssetDependencies { BackhaulLinkId = Backhaul(d, x[c], y[r]), PowerFeederId = Feeder(r, c), Neighbours = [.. neighbours] },
                Intersection = new IntersectionState { Plan = SignalPlan.TwoPhase(60 + 10 * random.Next(7)) },
            });
        }

        // Cameras: 1–4 per intersection, each on its own approach, a few metres up that approach.
        var cameraTotal = 0;
        var cameraCounts = new int[rows * cols];
        for (var i = 0; i < cameraCounts.Length; i++) cameraTotal += cameraCounts[i] = 1 + random.Next(4);
        var cameraDigits = Math.Max(4, Digits(cameraTotal));
        var cameraNumber = 0;
        Span<Approach> approaches = stackalloc Approach[4];
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
        {
            approaches[0] = Approach.North; approaches[1] = Approach.East; approaches[2] = Approach.South; approaches[3] = Approach.West;
            random.Shuffle(approaches);
            var d = DistrictOf(r, c);
            for (var k = 0; k < cameraCounts[r * cols + c]; k++)
            {
                var (east, south) = approaches[k] switch
                {
                    Approach.North => (x[c], y[r] - 12),
                    Approach.East => (x[c] + 12, y[r]),
                    Approach.South => (x[c], y[r] + 12),
                    _ => (x[c] - 12, y[r]),
                };
                assets.Add(new Asset
                {
                    Id = $"cam-{(++cameraNumber).ToString().PadLeft(cameraDigits, '0')}",
                    Type = AssetType.Camera,
                    Name = $"Camera {approaches[k]} of R{r + 1}/C{c + 1}",
                    Location = At(east, south),
                    District = districts[d],
                    Dependencies = new AssetDependencies { BackhaulLinkId = Backhaul(d, east, south), PowerFeederId = Feeder(r, c), WatchedIntersectionId = IntersectionId(r, c) },
                    Camera = new CameraState { Approach = approaches[k], FrameRate = random.Next(3) switch { 0 => 15, 1 => 25, _ => 30 }, DetectionConfidence = Math.Round(0.85 + 0.13 * random.NextDouble(), 3) },
                });
            }
        }

        // Poles every 30–40 m along each road segment (east and south of each intersection), lit by road class.
        var poles = new List<(GeoPoint At, int District, int Lanes, string Feeder, string Backhaul, string Road)>();
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
        {
            var d = DistrictOf(r, c);
            if (c + 1 < cols) Segment(x[c], y[r], x[c + 1], y[r], RowLanes(r), $"Row {r + 1}");
            if (r + 1 < rows) Segment(x[c], y[r], x[c], y[r + 1], ColLanes(c), $"Column {c + 1}");

            void Segment(double e0, double s0, double e1, double s1, int lanes, string road)
            {
                var length = Math.Abs(e1 - e0) + Math.Abs(s1 - s0);
                var spacing = 30 + 10 * random.NextDouble();
                for (var at = spacing; at < length - 5; at += spacing)
                {
                    var f = at / length;
                    var (east, south) = (e0 + (e1 - e0) * f, s0 + (s1 - s0) * f);
                    poles.Add((At(east, south), d, lanes, Feeder(r, c), Backhaul(d, east, south), road));
                }
            }
        }
        var poleDigits = Math.Max(4, Digits(poles.Count));
        for (var i = 0; i < poles.Count; i++)
        {
            var p = poles[i];
            var rated = p.Lanes switch { 3 => 100 + 10 * random.Next(6), 2 => 60 + 10 * random.Next(4), _ => 40 + 5 * random.Next(3) };
            var dim = p.Lanes == 1 ? 70 : 100;
            assets.Add(new Asset
            {
                Id = $"pole-{(i + 1).ToString().PadLeft(poleDigits, '0')}",
                Type = AssetType.Pole,
                Name = $"{p.Road} pole",
                Location = p.At,
                District = districts[p.District],
                Dependencies = new AssetDependencies { BackhaulLinkId = p.Backhaul, PowerFeederId = p.Feeder },
                Pole = new PoleState { LampOn = true, DimLevel = dim, RatedPowerW = rated, PowerW = rated * dim / 100.0, IlluminanceLevel = dim / 100.0 },
            });
        }
        return new GeneratedCity(assets, districts, rows, cols);
    }

    /// <summary>The smallest grid whose expected asset count reaches the target (rows ≤ columns, near square).</summary>
    private static (int Rows, int Cols) GridFor(int target, int districts)
    {
        for (var k = 4; ; k++)
        {
            var rows = Math.Max(2, (int)Math.Round(Math.Sqrt(k)));
            var cols = Math.Max(2, (int)Math.Ceiling(k / (double)rows));
            var segments = rows * (cols - 1) + (rows - 1) * cols;
            var expected = rows * cols * (1 + CamerasPerIntersection) + segments * PolesPerSegment + districts * LinksPerDistrict;
            if (expected >= target) return (rows, cols);
        }
    }

    private static double[] Cumulative(int n, Random random)
    {
        var at = new double[n];
        for (var i = 1; i < n; i++) at[i] = at[i - 1] + 150 + 100 * random.NextDouble();
        return at;
    }

    private static Asset Link(string id, GeoPoint at, string district, Random random)
    {
        // Geometry of a 550 km shell seen at this elevation (MODELS.md): slant range, then latency as the
        // four space legs of a bent pipe (terminal → satellite → gateway and back) plus ≈ 20 ms of ground path.
        var elevation = 30 + 50 * random.NextDouble();
        var e = elevation * Math.PI / 180;
        var a = EarthRadiusKm + LeoAltitudeKm;
        var slant = Math.Sqrt(a * a - Math.Pow(EarthRadiusKm * Math.Cos(e), 2)) - EarthRadiusKm * Math.Sin(e);
        return new Asset
        {
            Id = id,
            Type = AssetType.Link,
            Name = $"LEO terminal {id}",
            Location = at,
            District = district,
            Link = new LinkState
            {
                SatelliteId = $"sat-{random.Next(1, 4_400):D4}",
                ElevationDeg = Math.Round(elevation, 2),
                SlantRangeKm = Math.Round(slant, 1),
                LatencyMs = Math.Round(4 * slant / LightKmPerMs + 20 + 10 * random.NextDouble(), 1),
                ThroughputMbps = Math.Round(100 + 100 * random.NextDouble(), 1),
            },
        };
    }

    private static int Digits(int n) => n.ToString().Length;
}
