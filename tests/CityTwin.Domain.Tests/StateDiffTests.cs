using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Tests;

public sealed class StateDiffTests
{
    private static readonly Asset Camera = new Asset { Id = "cam-1", Type = AssetType.Camera, District = "d-1" }.WithDefaults();

    [Fact]
    public void Creating_an_asset_logs_nothing() => Assert.Empty(StateDiff.Between(null, Camera));

    [Fact]
    public void Telemetry_values_are_not_state_changes() =>
        Assert.Empty(StateDiff.Between(Camera, Camera with { Camera = Camera.Camera! with { VehicleCount = 12, FrameRate = 10 } }));

    [Fact]
    public void A_lost_feed_reads_as_an_operator_would_say_it()
    {
        var lost = Camera with { Status = AssetStatus.Offline, Camera = Camera.Camera! with { FeedOnline = false }, Upstream = Upstream.Normal with { Backhaul = LinkCondition.Down } };
        Assert.Equal(["status: operational → offline", "feedOnline: true → false", "backhaul: up → down"], StateDiff.Between(Camera, lost));
    }

    [Fact]
    public void A_power_cut_names_its_cause() =>
        Assert.Equal(["power: cut (feeder-7)"], StateDiff.Between(Camera, Camera with { Upstream = Upstream.Normal with { Powered = false, PowerCause = "feeder-7" } }));
}
