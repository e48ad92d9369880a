using System.Diagnostics;
using CityTwin.Domain.City;

namespace CityTwin.Domain.Tests;

public sealed class CityGeneratorTests
{
    [Theory]
    [InlineData(1_000)]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void The_city_has_the_asked_size_within_5_percent(int target)
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = target });
        Assert.InRange(city.Assets.Count, target * 0.95, target * 1.05);
    }

    [Fact]
    public void The_same_seed_gives_the_same_city_and_another_seed_another()
    {
        var a = CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 1 });
        var b = CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 1 });
        var c = CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 2 });

        Assert.Equal(a.Assets.Count, b.Assets.Count);
        Assert.All(a.Assets.Zip(b.Assets), p => Assert.True(p.First.SameContentAs(p.Second), p.First.Id));
        Assert.Contains(a.Assets.Zip(c.Assets), p => !p.First.SameContentAs(p.Second));
    }

    [Fact]
    public void Every_asset_is_valid_and_every_reference_resolves_to_the_right_type()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 20_000, Seed = 5 });

        Assert.All(city.Assets, a => Assert.Empty(AssetValidator.Validate(a)));
        Assert.Empty(CityValidator.Validate(city.Assets, _ => null));
        Assert.Equal(city.Assets.Count, city.Assets.Select(a => a.Id).Distinct().Count());
        Assert.All(city.Assets.Where(a => a.Type != AssetType.Link), a => Assert.NotNull(a.Dependencies.BackhaulLinkId));
    }

    [Fact]
    public void Dependencies_come_before_their_dependents()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 3_000 });
        var seen = new HashSet<string>();
        foreach (var a in city.Assets)
        {
            if (a.Dependencies.BackhaulLinkId is { } link) Assert.Contains(link, seen);
            if (a.Dependencies.WatchedIntersectionId is { } i) Assert.Contains(i, seen);
            seen.Add(a.Id);
        }
    }

    [Fact]
    public void Every_intersection_has_one_to_four_cameras_on_distinct_approaches()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 10_000 });
        var cameras = city.Assets.Where(a => a.Type == AssetType.Camera).GroupBy(a => a.Dependencies.WatchedIntersectionId!).ToDictionary(g => g.Key, g => g.ToList());
        var intersections = city.Assets.Where(a => a.Type == AssetType.Intersection).ToList();

        Assert.Equal(intersections.Count, cameras.Count);
        Assert.All(cameras.Values, group =>
        {
            Assert.InRange(group.Count, 1, 4);
            Assert.Equal(group.Count, group.Select(c => c.Camera!.Approach).Distinct().Count());
        });
        Assert.Contains(cameras.Values, g => g.Count == 1);
        Assert.Contains(cameras.Values, g => g.Count == 4);
    }

    [Fact]
    public void Poles_stand_30_to_40_metres_apart_along_a_road()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 2_000 });
        var poles = city.Assets.Where(a => a.Type == AssetType.Pole && a.Name == "Row 1 pole").ToList();
        var junctions = city.Assets.Where(a => a.Type == AssetType.Intersection).Take(city.Columns).Select(a => a.Location.Lon).ToArray();
        int Block(Asset pole) => junctions.Count(lon => lon < pole.Location.Lon);

        // Consecutive poles between the same two junctions of the first row.
        var gaps = poles.Zip(poles.Skip(1)).Where(p => Block(p.First) == Block(p.Second))
            .Select(p => p.First.Location.DistanceTo(p.Second.Location)).ToList();
        Assert.True(gaps.Count > 20);
        Assert.All(gaps, d => Assert.InRange(d, 29.5, 40.5));
    }

    [Fact]
    public void Intersections_link_both_ways_to_their_neighbours_with_real_lengths()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 2_000 });
        var byId = city.Assets.Where(a => a.Type == AssetType.Intersection).ToDictionary(a => a.Id);
        foreach (var i in byId.Values)
        foreach (var road in i.Dependencies.Neighbours)
        {
            var other = byId[road.IntersectionId];
            Assert.Contains(other.Dependencies.Neighbours, back => back.IntersectionId == i.Id && back.LengthM == road.LengthM);
            Assert.InRange(road.LengthM, 150, 250);
            Assert.InRange(Math.Abs(road.LengthM - i.Location.DistanceTo(other.Location)), 0, 0.5);
        }
    }

    [Fact]
    public void A_million_asset_city_generates_in_seconds()
    {
        var clock = Stopwatch.StartNew();
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000_000 });
        Assert.InRange(city.Assets.Count, 950_000, 1_050_000);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Sizes_outside_the_supported_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CityGenerator.Generate(new CitySpec { TargetAssets = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CityGenerator.Generate(new CitySpec { TargetAssets = 2_000_000 }));
    }
}
