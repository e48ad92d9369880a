using CityTwin.Domain.Scenarios;

namespace CityTwin.Domain.Tests.Scenarios;

public sealed class TwinSnapshotTests
{
    [Fact]
    public void A_snapshot_holds_every_asset_with_references_as_indices()
    {
        var city = ScenarioFixture.City.Value;
        var s = ScenarioFixture.Snapshot.Value;
        Assert.Equal(city.Assets.Count, s.AssetCount);
        Assert.Equal(city.Districts, s.Districts);
        for (var c = 0; c < s.CameraIds.Length; c++)
        {
            var camera = city.Assets.Single(a => a.Id == s.CameraIds[c]);
            Assert.Equal(camera.Dependencies.WatchedIntersectionId, s.IntersectionIds[s.CameraIntersection[c]]);
            Assert.Equal(camera.Dependencies.BackhaulLinkId, s.LinkIds[s.CameraBackhaul[c]]);
            Assert.Equal(camera.Dependencies.PowerFeederId, s.Feeders[s.CameraFeeder[c]]);
        }
        Assert.Equal(city.Assets.Where(a => a.Type == AssetType.Intersection).Sum(a => a.Dependencies.Neighbours.Length), s.RoadTo.Length);
        // Poles at either end of a block are junction poles (the generator keeps those at full output).
        var poles = city.Assets.Where(a => a.Type == AssetType.Pole).ToList();
        Assert.True(s.PoleJunction.Count(j => j) > poles.Count / 5);
        for (var p = 0; p < poles.Count; p++) if (s.PoleJunction[p]) Assert.Equal(100, s.PoleDimLevel[p]);
    }

    [Fact]
    public void A_fork_is_a_deep_copy()
    {
        var s = ScenarioFixture.Snapshot.Value;
        var fork = s.Fork();
        fork.PoleRatedW[0] += 1;
        fork.IntersectionFault[0] = !fork.IntersectionFault[0];
        Assert.NotEqual(s.PoleRatedW[0], fork.PoleRatedW[0]);
        Assert.NotEqual(s.IntersectionFault[0], fork.IntersectionFault[0]);
        Assert.Equal(s.IntersectionIds, fork.IntersectionIds);
    }
}
