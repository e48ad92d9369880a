using System.Globalization;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;

namespace CityTwin.Domain.City;

/// <summary>
/// A deterministic synthetic city: a grid of signalised intersections with blocks of 150–250 m, grouped into
/// rectangular districts; a light pole every 30–40 m along each road; 1–4 cameras per intersection on distinct
/// approaches; 2–4 LEO ground terminals per district as backhaul (the nearest one serves) and one power feeder
/// per block row of a district. Assets come out links, intersections, cameras, poles: dependencies first.
/// </summary>
public static class CityGenerator
{
    public const int MinAssets = 1_000;
    public const int MaxAssets = 1_000_000;
    public const int MaxDistricts = 400;

    public static GeneratedCity Generate(CitySpec spec)
    {
        if (spec.TargetAssets is < MinAssets or > MaxAssets)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.TargetAssets, $"TargetAssets must be {MinAssets:N0}–{MaxAssets:N0}.");
        if (spec.Districts is < 1 or > MaxDistricts)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Districts, $"Districts must be 1–{MaxDistricts}.");
        var districts = spec.Districts ?? Math.Clamp((int)Math.Round(spec.TargetAssets / 2_500.0), 1, MaxDistricts);
        var (rows, cols) = GridFor(spec.TargetAssets, districts);
        if (districts * Builder.MinIntersectionsPerDistrict > rows * cols)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Districts,
                $"A city of {spec.TargetAssets:N0} assets has {rows * cols} intersections: at most {rows * cols / Builder.MinIntersectionsPerDistrict} districts.");
        return new Builder(spec, rows, cols, districts).Build();
    }

    /// <summary>The near-square grid whose expected asset count is closest to the target.</summary>
    private static (int Rows, int Cols) GridFor(int target, int districts)
    {
        double Expected(int r, int c) => r * c * (1 + Builder.CamerasPerIntersection)
            + (r * (c - 1) + c * (r - 1)) * Builder.PolesPerSegment + districts * Builder.TerminalsPerDistrict;
        (int, int) best = (2, 2);
        var bestError = double.MaxValue;
        for (var r = 2; Expected(r, r) < target * 1.2; r++)
        for (var c = r; c <= r + r / 4 + 1; c++)
        {
            var error = Math.Abs(Expected(r, c) - target);
            if (error < bestError) (best, bestError) = ((r, c), error);
        }
        return best;
    }

    /// <summary>One generation run: the seeded draws happen in a fixed order, which is what makes the city reproducible.</summary>
    private sealed class Builder
    {
        public const int MinIntersectionsPerDistrict = 4;
        public const double CamerasPerIntersection = 2.5; // 1–4
        public const double TerminalsPerDistrict = 3; // 2–4
        // Mean of PolesOn over blocks of 150–250 m (computed numerically); only sizes the grid.
        public const double PolesPerSegment = 4.85;
        private const double MinBlockM = 150, MaxBlockM = 250, MinSpacingM = 30, MaxSpacingM = 40, CameraSetbackM = 12;
        private const double EarthRadiusKm = 6_371, LeoAltitudeKm = 550, LightKmPerMs = 299.792458;

        private readonly CitySpec spec;
        private readonly Random random;
        private readonly int rows, cols, intersections;
        private readonly double[] east, north; // metres from the centre, per column / per row
        private readonly GeoPoint[] junction; // row-major, like every per-intersection array below
        private readonly string[] intersectionId, feeder;
        private readonly int[] district;
        private readonly string[] districtIds;
        private readonly List<Terminal>[] terminals;
        private readonly int[] polesEast, polesSouth, cameras;
        private readonly int poles, cameraTotal, terminalTotal;

        private readonly record struct Terminal(string Id, double East, double North);

        public Builder(CitySpec spec, int rows, int cols, int districtCount)
        {
            this.spec = spec;
            this.rows = rows;
            this.cols = cols;
            intersections = rows * cols;
            random = new Random(spec.Seed);

            // Road grid: block lengths drawn once, positions centred on the origin.
            east = Cumulative(cols, +1);
            north = Cumulative(rows, -1);
            junction = new GeoPoint[intersections];
            intersectionId = new string[intersections];
            var idFormat = "D" + Math.Max(4, Digits(intersections));
            for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                junction[r * cols + c] = At(east[c], north[r]);
                intersectionId[r * cols + c] = "int-" + (r * cols + c + 1).ToString(idFormat, CultureInfo.InvariantCulture);
            }

            // Districts: bands of grid rows, each cut into rectangles; a feeder per block row of a district.
            var idWidth = "D" + Math.Max(2, Digits(districtCount));
            districtIds = Enumerable.Range(1, districtCount).Select(i => "d" + i.ToString(idWidth, CultureInfo.InvariantCulture)).ToArray();
            district = new int[intersections];
            feeder = new string[intersections];
            var bounds = new (int R0, int R1, int C0, int C1)[districtCount];
            var bands = Math.Clamp((int)Math.Round(Math.Sqrt(districtCount)), 1, rows);
            for (int b = 0, d = 0; b < bands; b++)
            {
                var inBand = districtCount / bands + (b < districtCount % bands ? 1 : 0);
                int r0 = b * rows / bands, r1 = (b + 1) * rows / bands - 1;
                for (var j = 0; j < inBand; j++, d++)
                {
                    int c0 = j * cols / inBand, c1 = (j + 1) * cols / inBand - 1;
                    bounds[d] = (r0, r1, c0, c1);
                    for (var r = r0; r <= r1; r++)
                    {
                        var feederId = $"feeder-{districtIds[d]}-{r - r0 + 1}";
                        for (var c = c0; c <= c1; c++) (district[r * cols + c], feeder[r * cols + c]) = (d, feederId);
                    }
                }
            }

            // LEO ground terminals: 2–4 per district, spread west to east across it.
            terminals = new List<Terminal>[districtCount];
            for (var d = 0; d < districtCount; d++)
            {
                var (r0, r1, c0, c1) = bounds[d];
                var count = 2 + random.Next(3);
                terminals[d] = new List<Terminal>(count);
                for (var k = 0; k < count; k++)
                {
                    var e = east[c0] + (east[c1] - east[c0]) * (k + 0.5) / count + 15;
                    var n = north[r1] + (north[r0] - north[r1]) * random.NextDouble() + 15;
                    terminals[d].Add(new Terminal($"leo-{districtIds[d]}-{k + 1}", e, n));
                }
                terminalTotal += count;
            }

            // Poles on the road east and south of each intersection.
            polesEast = new int[intersections];
            polesSouth = new int[intersections];
            for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                if (c + 1 < cols) poles += polesEast[r * cols + c] = PolesOn(east[c + 1] - east[c]);
                if (r + 1 < rows) poles += polesSouth[r * cols + c] = PolesOn(north[r] - north[r + 1]);
            }

            // Cameras: 1–4 per intersection, nudged one at a time until the city has exactly the asked size.
            cameras = new int[intersections];
            for (var i = 0; i < intersections; i++) cameraTotal += cameras[i] = 1 + random.Next(4);
            var wanted = Math.Clamp(spec.TargetAssets - terminalTotal - intersections - poles, intersections, 4 * intersections);
            while (cameraTotal != wanted)
            {
                var i = random.Next(intersections);
                var step = Math.Sign(wanted - cameraTotal);
                if (cameras[i] + step is < 1 or > 4) continue;
                cameras[i] += step;
                cameraTotal += step;
            }
        }

        public GeneratedCity Build()
        {
            var assets = new List<Asset>(terminalTotal + intersections + cameraTotal + poles);
            Links(assets);
            Intersections(assets);
            Cameras(assets);
            Poles(assets);
            return new GeneratedCity(assets, districtIds, rows, cols);
        }

        private void Links(List<Asset> assets)
        {
            for (var d = 0; d < terminals.Length; d++)
            foreach (var t in terminals[d])
            {
                // Geometry of a 550 km shell seen at this elevation (MODELS.md): slant range, then latency as the
                // four space legs of a bent pipe (terminal → satellite → gateway and back) plus 25–40 ms of ground path,
                // which lands in the measured 25–60 ms round trip of Starlink-like service.
                var elevation = 30 + 50 * random.NextDouble();
                var e = elevation * Math.PI / 180;
                var a = EarthRadiusKm + LeoAltitudeKm;
                var slant = Math.Sqrt(a * a - Math.Pow(EarthRadiusKm * Math.Cos(e), 2)) - EarthRadiusKm * Math.Sin(e);
                assets.Add(new Asset
                {
                    Id = t.Id,
                    Type = AssetType.Link,
                    Name = $"LEO terminal {t.Id[4..]}",
                    Location = At(t.East, t.North),
                    District = districtIds[d],
                    Link = new LinkState
                    {
                        SatelliteId = $"sat-{random.Next(1, 4_400):D4}",
                        ElevationDeg = Math.Round(elevation, 2),
                        SlantRangeKm = Math.Round(slant, 1),
                        LatencyMs = Math.Round(4 * slant / LightKmPerMs + 25 + 15 * random.NextDouble(), 1),
                        ThroughputMbps = Math.Round(100 + 100 * random.NextDouble(), 1),
                        PacketLossPct = Math.Round(0.5 * random.NextDouble(), 2),
                    },
                });
            }
        }

        private void Intersections(List<Asset> assets)
        {
            var neighbours = new List<RoadLink>(4);
            for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                var i = r * cols + c;
                neighbours.Clear();
                if (r > 0) neighbours.Add(Road(i, i - cols, Lanes(c)));
                if (c + 1 < cols) neighbours.Add(Road(i, i + 1, Lanes(r)));
                if (r + 1 < rows) neighbours.Add(Road(i, i + cols, Lanes(c)));
                if (c > 0) neighbours.Add(Road(i, i - 1, Lanes(r)));
                var arterial = Lanes(r) == 3 || Lanes(c) == 3;
                assets.Add(new Asset
                {
                    Id = intersectionId[i],
                    Type = AssetType.Intersection,
                    Name = $"Street {r + 1} / Avenue {c + 1}",
                    Location = junction[i],
                    District = districtIds[district[i]],
                    Dependencies = new AssetDependencies { BackhaulLinkId = Nearest(district[i], east[c], north[r]), PowerFeederId = feeder[i], Neighbours = [.. neighbours] },
                    Intersection = new IntersectionState
                    {
                        // Junctions on arterials run adaptive control; the rest a fixed-time plan.
                        Mode = arterial ? ControlMode.Adaptive : ControlMode.FixedTime,
                        Plan = SignalPlan.TwoPhase(60 + 10 * random.Next(7)),
                    },
                });
            }
        }

        private RoadLink Road(int from, int to, int lanes) => new()
        {
            IntersectionId = intersectionId[to],
            LengthM = Math.Round(junction[from].DistanceTo(junction[to]), 1),
            Lanes = lanes,
            SpeedLimitKmh = lanes switch { 3 => 70, 2 => 50, _ => 30 },
        };

        private void Cameras(List<Asset> assets)
        {
            var format = "D" + Math.Max(4, Digits(cameraTotal));
            var number = 0;
            Span<Approach> approaches = stackalloc Approach[4];
            for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                var i = r * cols + c;
                approaches[0] = Approach.North; approaches[1] = Approach.East; approaches[2] = Approach.South; approaches[3] = Approach.West;
                random.Shuffle(approaches);
                for (var k = 0; k < cameras[i]; k++)
                {
                    // A few metres up the approach it watches.
                    var (e, n) = approaches[k] switch
                    {
                        Approach.North => (east[c], north[r] + CameraSetbackM),
                        Approach.East => (east[c] + CameraSetbackM, north[r]),
                        Approach.South => (east[c], north[r] - CameraSetbackM),
                        _ => (east[c] - CameraSetbackM, north[r]),
                    };
                    assets.Add(new Asset
                    {
                        Id = "cam-" + (++number).ToString(format, CultureInfo.InvariantCulture),
                        Type = AssetType.Camera,
                        Name = $"Street {r + 1} / Avenue {c + 1}, {approaches[k].ToString().ToLowerInvariant()} approach",
                        Location = At(e, n),
                        District = districtIds[district[i]],
                        Dependencies = new AssetDependencies { BackhaulLinkId = Nearest(district[i], e, n), PowerFeederId = feeder[i], WatchedIntersectionId = intersectionId[i] },
                        Camera = new CameraState
                        {
                            Approach = approaches[k],
                            FrameRate = random.Next(3) switch { 0 => 15, 1 => 25, _ => 30 },
                            DetectionConfidence = Math.Round(0.85 + 0.13 * random.NextDouble(), 3),
                        },
                    });
                }
            }
        }

        private void Poles(List<Asset> assets)
        {
            var format = "D" + Math.Max(4, Digits(poles));
            var number = 0;
            var streetLights = Enumerable.Range(1, rows).Select(r => $"Street {r} light").ToArray();
            var avenueLights = Enumerable.Range(1, cols).Select(c => $"Avenue {c} light").ToArray();
            // Neighbouring poles share backhaul and feeder: one immutable dependencies record each saves ~10 % of a large city's memory.
            var shared = new Dictionary<(string, string), AssetDependencies>();
            for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                var i = r * cols + c;
                if (c + 1 < cols) Segment(polesEast[i], east[c], north[r], east[c + 1], north[r], Lanes(r), streetLights[r]);
                if (r + 1 < rows) Segment(polesSouth[i], east[c], north[r], east[c], north[r + 1], Lanes(c), avenueLights[c]);

                void Segment(int count, double e0, double n0, double e1, double n1, int lanes, string name)
                {
                    var d = district[i];
                    for (var k = 1; k <= count; k++)
                    {
                        // Evenly spaced, so the spacing (and the distance to each junction) is the block length / (count + 1).
                        var f = k / (count + 1.0);
                        var (e, n) = (e0 + (e1 - e0) * f, n0 + (n1 - n0) * f);
                        var key = (Nearest(d, e, n), feeder[i]);
                        if (!shared.TryGetValue(key, out var dependencies))
                            shared[key] = dependencies = new AssetDependencies { BackhaulLinkId = key.Item1, PowerFeederId = key.Item2 };
                        assets.Add(new Asset
                        {
                            Id = "pole-" + (++number).ToString(format, CultureInfo.InvariantCulture),
                            Type = AssetType.Pole,
                            Name = name,
                            Location = At(e, n),
                            District = districtIds[d],
                            Dependencies = dependencies,
                            Pole = Pole(lanes, atJunction: k == 1 || k == count),
                        });
                    }
                }
            }
        }

        /// <summary>LED wattage by road class (MODELS.md: 30–50 W residential, 60–90 W secondary, 100–150 W main roads) and a night-time dimming schedule.</summary>
        private PoleState Pole(int lanes, bool atJunction)
        {
            var rated = lanes switch { 3 => 100 + 10 * random.Next(6), 2 => 60 + 10 * random.Next(4), _ => 40 + 5 * random.Next(3) };
            // Main roads and the poles next to a junction stay at full output; side roads dim by 30 % or 50 %.
            var dim = atJunction || lanes == 3 ? 100 : lanes == 2 ? 70 : random.Next(2) == 0 ? 70 : 50;
            var on = random.Next(100) != 0; // about 1 % switched off by their photocell or schedule
            return new PoleState
            {
                LampOn = on,
                DimLevel = dim,
                RatedPowerW = rated,
                PowerW = on ? rated * dim / 100.0 : 0,
                IlluminanceLevel = on ? dim / 100.0 : 0,
                // Up to a year of night-time burning (≈ 4,200 h) at rated power.
                EnergyKWh = Math.Round(rated * 4_200 * random.NextDouble() / 1_000, 1),
            };
        }

        /// <summary>Poles evenly spaced 30–40 m apart (and 30–40 m from each junction) on a block: a random count that allows it.</summary>
        private int PolesOn(double lengthM) =>
            random.Next((int)Math.Ceiling(lengthM / MaxSpacingM) - 1, (int)Math.Floor(lengthM / MinSpacingM));

        /// <summary>Arterials every fourth street (3 lanes, 70 km/h), collectors between (2 lanes, 50 km/h), local roads otherwise (1 lane, 30 km/h).</summary>
        private static int Lanes(int road) => road % 4 == 0 ? 3 : road % 2 == 0 ? 2 : 1;

        private string Nearest(int d, double e, double n)
        {
            var list = terminals[d];
            var best = list[0];
            var bestDistance = double.MaxValue;
            foreach (var t in list)
            {
                var distance = (t.East - e) * (t.East - e) + (t.North - n) * (t.North - n);
                if (distance < bestDistance) (best, bestDistance) = (t, distance);
            }
            return best.Id;
        }

        /// <summary>
        /// Metres from the centre to WGS84: north along the meridian, then east along that parallel, so distances along
        /// streets are true to the millimetre; rounded to 7 decimals (≈ 1 cm), which keeps GeoJSON short.
        /// </summary>
        private GeoPoint At(double eastM, double northM)
        {
            var p = spec.Origin.Offset(0, northM).Offset(eastM, 0);
            return new GeoPoint(Math.Round(p.Lon, 7), Math.Round(p.Lat, 7));
        }

        /// <summary>Positions of n grid lines with blocks of 150–250 m between them, centred on 0; <paramref name="direction"/> −1 runs north to south.</summary>
        private double[] Cumulative(int n, int direction)
        {
            var at = new double[n];
            for (var i = 1; i < n; i++) at[i] = at[i - 1] + MinBlockM + (MaxBlockM - MinBlockM) * random.NextDouble();
            var half = at[n - 1] / 2;
            for (var i = 0; i < n; i++) at[i] = direction * (at[i] - half);
            return at;
        }

        private static int Digits(int n) => n.ToString(CultureInfo.InvariantCulture).Length;
    }
}
