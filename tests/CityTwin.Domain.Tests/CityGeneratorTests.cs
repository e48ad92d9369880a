using CityTwin.Domain.City;

namespace CityTwin.Domain.Tests;

public sealed class CityGeneratorTests
{
    private static readonly Lazy<GeneratedCity> TenThousand = new(() => CityGenerator.Generate(new CitySpec { TargetAssets = 10_000, Seed = 5 }));
    private static readonly Lazy<GeneratedCity> Small = new(() => CityGenerator.Generate(new CitySpec { TargetAssets = 2_000, Seed = 3 }));

    private static IEnumerable<Asset> OfType(GeneratedCity city, AssetType type) => city.Assets.Where(a => a.Type == type);

    [Theory]
    [InlineData(1_000, 42)]
    [InlineData(1_000, 7)]
    [InlineData(2_500, 1)]
    [InlineData(10_000, 42)]
    [InlineData(33_333, 9)]
    [InlineData(100_000, 42)]
    public void The_city_has_the_asked_size(int target, int seed)
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = target, Seed = seed });
        Assert.InRange(city.Assets.Count, target * 0.95, target * 1.05);
        Assert.Equal(target, city.Assets.Count); // the camera count absorbs the rounding of the grid
    }

    [Fact]
    public void The_same_seed_gives_the_same_city_and_another_seed_another()
    {
        var a = CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 1 });
        var b = CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 1 });
        var c = CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 2 });

        Assert.Equal(a.Assets.Count, b.Assets.Count);
        Assert.All(a.Assets.Zip(b.Assets), p => Assert.True(p.First.SameContentAs(p.Second), p.First.Id));
        Assert.True(a.Assets.Zip(c.Assets).Count(p => !p.First.SameContentAs(p.Second)) > a.Assets.Count / 2);
    }

    [Fact]
    public void Assets_come_links_then_intersections_then_cameras_then_poles()
    {
        AssetType[] order = [AssetType.Link, AssetType.Intersection, AssetType.Camera, AssetType.Pole];
        var ranks = TenThousand.Value.Assets.Select(a => Array.IndexOf(order, a.Type)).ToList();
        Assert.Equal(ranks.Order(), ranks);
        Assert.Equal([0, 1, 2, 3], ranks.Distinct());
    }

    [Fact]
    public void Every_asset_is_valid_and_every_reference_resolves_to_the_right_type()
    {
        var city = TenThousand.Value;
        var types = city.Assets.ToDictionary(a => a.Id, a => a.Type);

        Assert.All(city.Assets, a => Assert.Empty(AssetValidator.Validate(a)));
        Assert.Empty(CityValidator.Validate(city.Assets, _ => null));
        Assert.All(city.Assets.Where(a => a.Type != AssetType.Link), a =>
        {
            Assert.Equal(AssetType.Link, types[a.Dependencies.BackhaulLinkId!]);
            Assert.NotNull(a.Dependencies.PowerFeederId);
        });
        Assert.All(OfType(city, AssetType.Camera), a => Assert.Equal(AssetType.Intersection, types[a.Dependencies.WatchedIntersectionId!]));
        Assert.All(OfType(city, AssetType.Link), a => Assert.True(a.Dependencies.IsEmpty));
    }

    [Fact]
    public void Ids_are_unique_and_zero_padded_for_the_count()
    {
        var city = TenThousand.Value;
        Assert.Equal(city.Assets.Count, city.Assets.Select(a => a.Id).Distinct().Count());

        void Padded(AssetType type, string prefix)
        {
            var ids = OfType(city, type).Select(a => a.Id).ToList();
            var width = Math.Max(4, ids.Count.ToString().Length);
            Assert.All(ids, id => Assert.Matches($"^{prefix}-[0-9]{{{width}}}$", id));
            Assert.Equal($"{prefix}-{1.ToString().PadLeft(width, '0')}", ids[0]);
            Assert.Equal($"{prefix}-{ids.Count.ToString().PadLeft(width, '0')}", ids[^1]);
        }
        Padded(AssetType.Pole, "pole");
        Padded(AssetType.Camera, "cam");
        Padded(AssetType.Intersection, "int");
        Assert.All(OfType(city, AssetType.Link), a => Assert.Matches($"^leo-{a.District}-[1-4]$", a.Id));
    }

    [Fact]
    public void Districts_default_to_one_per_2500_assets_and_each_has_two_to_four_terminals()
    {
        var city = TenThousand.Value;
        Assert.Equal(["d01", "d02", "d03", "d04"], city.Districts);
        Assert.Equal(city.Districts, city.Assets.Select(a => a.District).Distinct().Order());
        Assert.All(OfType(city, AssetType.Link).GroupBy(a => a.District), g => Assert.InRange(g.Count(), 2, 4));
        Assert.Single(CityGenerator.Generate(new CitySpec { TargetAssets = 1_000 }).Districts);
    }

    [Fact]
    public void An_explicit_district_count_is_honoured_exactly()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 20_000, Districts = 7 });
        Assert.Equal(7, city.Districts.Count);
        Assert.Equal(city.Districts, city.Assets.Select(a => a.District).Distinct().Order());
        Assert.All(city.Districts, d => Assert.InRange(city.Assets.Count(a => a.District == d && a.Type == AssetType.Intersection), 4, int.MaxValue));
    }

    [Fact]
    public void Each_asset_uses_the_nearest_terminal_and_a_feeder_of_its_own_district()
    {
        var city = TenThousand.Value;
        var terminals = OfType(city, AssetType.Link).ToLookup(a => a.District);
        var links = OfType(city, AssetType.Link).ToDictionary(a => a.Id);
        Assert.All(city.Assets.Where(a => a.Type != AssetType.Link), a =>
        {
            var chosen = links[a.Dependencies.BackhaulLinkId!];
            Assert.Equal(a.District, chosen.District);
            Assert.True(a.Location.DistanceTo(chosen.Location) <= terminals[a.District].Min(t => a.Location.DistanceTo(t.Location)) + 0.5, a.Id);
            Assert.StartsWith($"feeder-{a.District}-", a.Dependencies.PowerFeederId);
        });
    }

    [Fact]
    public void Each_block_row_of_a_district_has_its_own_feeder()
    {
        var intersections = OfType(TenThousand.Value, AssetType.Intersection).ToList();
        var rows = intersections.GroupBy(a => (a.District, a.Location.Lat)).ToList();
        Assert.All(rows, row => Assert.Single(row.Select(a => a.Dependencies.PowerFeederId).Distinct()));
        Assert.Equal(rows.Count, intersections.Select(a => a.Dependencies.PowerFeederId).Distinct().Count());
        Assert.All(intersections.GroupBy(a => a.District), d => Assert.Contains(d, a => a.Dependencies.PowerFeederId == $"feeder-{d.Key}-1"));
    }

    [Fact]
    public void Poles_stand_30_to_40_metres_from_the_next_pole_or_junction_on_their_street()
    {
        var city = Small.Value;
        var intersections = OfType(city, AssetType.Intersection).ToList();
        var poles = OfType(city, AssetType.Pole).ToList();
        var streets = intersections.Select(a => a.Location.Lat).ToHashSet();
        var avenues = intersections.Select(a => a.Location.Lon).ToHashSet();
        var fixedPoints = poles.Concat(intersections).Select(a => a.Location).ToList();

        Assert.All(poles, pole =>
        {
            // On a street (the latitude of a row of junctions) or an avenue (within half a metre of a column: ≈ 70 km per degree here).
            Assert.True(streets.Contains(pole.Location.Lat) || avenues.Any(lon => Math.Abs(lon - pole.Location.Lon) * 70_000 < 0.5), pole.Id);
            var nearest = fixedPoints.Where(p => p != pole.Location).Min(p => p.DistanceTo(pole.Location));
            Assert.InRange(nearest, 29.95, 40.05);
        });
    }

    [Fact]
    public void Every_intersection_has_one_to_four_cameras_each_on_its_own_approach()
    {
        var city = TenThousand.Value;
        var intersections = OfType(city, AssetType.Intersection).ToDictionary(a => a.Id);
        var cameras = OfType(city, AssetType.Camera).GroupBy(a => a.Dependencies.WatchedIntersectionId!).ToList();

        Assert.Equal(intersections.Count, cameras.Count);
        Assert.All(cameras, group =>
        {
            Assert.InRange(group.Count(), 1, 4);
            Assert.Equal(group.Count(), group.Select(c => c.Camera!.Approach).Distinct().Count());
            var junction = intersections[group.Key].Location;
            Assert.All(group, c =>
            {
                Assert.InRange(c.Location.DistanceTo(junction), 11.9, 12.1);
                var (east, north) = (Math.Sign(Math.Round(c.Location.Lon - junction.Lon, 6)), Math.Sign(Math.Round(c.Location.Lat - junction.Lat, 6)));
                Assert.Equal(c.Camera!.Approach switch { Approach.North => (0, 1), Approach.East => (1, 0), Approach.South => (0, -1), _ => (-1, 0) }, (east, north));
            });
        });
        Assert.Contains(cameras, g => g.Count() == 1);
        Assert.Contains(cameras, g => g.Count() == 4);
    }

    [Fact]
    public void Intersections_link_both_ways_to_their_grid_neighbours_with_lengths_from_coordinates()
    {
        var city = Small.Value;
        var byId = OfType(city, AssetType.Intersection).ToDictionary(a => a.Id);
        Assert.Equal(city.Rows * city.Columns, byId.Count);
        Assert.Equal(2 * (city.Rows * (city.Columns - 1) + city.Columns * (city.Rows - 1)), byId.Values.Sum(i => i.Dependencies.Neighbours.Length));
        foreach (var i in byId.Values)
        foreach (var road in i.Dependencies.Neighbours)
        {
            var other = byId[road.IntersectionId];
            Assert.Contains(other.Dependencies.Neighbours, back => back.IntersectionId == i.Id && back.LengthM == road.LengthM && back.Lanes == road.Lanes);
            Assert.Equal(Math.Round(i.Location.DistanceTo(other.Location), 1), road.LengthM);
            Assert.InRange(road.LengthM, 149.9, 250.1);
            Assert.Equal(road.Lanes switch { 1 => 30, 2 => 50, 3 => 70, _ => -1 }, road.SpeedLimitKmh);
        }
    }

    [Fact]
    public void Attributes_are_in_realistic_ranges()
    {
        var city = TenThousand.Value;
        var poles = OfType(city, AssetType.Pole).Select(a => a.Pole!).ToList();
        Assert.All(poles, p =>
        {
            Assert.True(p.RatedPowerW is >= 40 and <= 50 or >= 60 and <= 90 or >= 100 and <= 150, $"{p.RatedPowerW} W");
            Assert.Contains(p.DimLevel, new[] { 50.0, 70, 100 });
            Assert.Equal(p.LampOn ? p.RatedPowerW * p.DimLevel / 100 : 0, p.PowerW);
        });
        Assert.InRange(poles.Count(p => !p.LampOn), 1, poles.Count / 20);
        Assert.Equal([40.0, 45, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150], poles.Select(p => p.RatedPowerW).Distinct().Order());

        Assert.All(OfType(city, AssetType.Camera), c => Assert.Contains(c.Camera!.FrameRate, new[] { 15.0, 25, 30 }));
        Assert.All(OfType(city, AssetType.Intersection), i =>
        {
            Assert.InRange(i.Intersection!.Plan.CycleSeconds, 60, 120);
            Assert.Equal(2, i.Intersection.Plan.Phases.Length);
        });
        Assert.All(OfType(city, AssetType.Link), l =>
        {
            Assert.InRange(l.Link!.LatencyMs, 25, 60);
            Assert.InRange(l.Link.ElevationDeg, 30, 80);
            Assert.Matches("^sat-[0-9]{4}$", l.Link.SatelliteId);
        });
    }

    [Fact]
    public void The_city_is_centred_on_its_origin()
    {
        var origin = new GeoPoint(-0.1278, 51.5074);
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Origin = origin });
        var junctions = OfType(city, AssetType.Intersection).ToList();
        var centre = new GeoPoint(junctions.Average(a => a.Location.Lon), junctions.Average(a => a.Location.Lat));
        Assert.InRange(centre.DistanceTo(origin), 0, 250);
    }

    [Theory]
    [InlineData(999, null)]
    [InlineData(1_000_001, null)]
    [InlineData(10_000, 0)]
    [InlineData(10_000, 401)]
    [InlineData(1_000, 400)] // a district needs at least 4 intersections
    public void Impossible_specs_are_refused(int target, int? districts)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CityGenerator.Generate(new CitySpec { TargetAssets = target, Districts = districts }));
    }
}
