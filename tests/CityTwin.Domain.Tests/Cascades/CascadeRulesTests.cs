using CityTwin.Domain.Cascades;

namespace CityTwin.Domain.Tests.Cascades;

public sealed class CascadeRulesTests
{
    private static Asset Pole(Upstream? up = null, AssetStatus byOperator = AssetStatus.Operational) => new()
    {
        Id = "pole-1", Type = AssetType.Pole, District = "d01", OperatorStatus = byOperator,
        Dependencies = new AssetDependencies { BackhaulLinkId = "leo-1", PowerFeederId = "feeder-1" },
        Upstream = up ?? Upstream.Normal,
        Pole = new PoleState { LampOn = true, DimLevel = 50, RatedPowerW = 100 },
    };

    private static Asset Camera(Upstream? up = null, bool deviceOnline = true) => new()
    {
        Id = "cam-1", Type = AssetType.Camera, District = "d01",
        Dependencies = new AssetDependencies { BackhaulLinkId = "leo-1", WatchedIntersectionId = "int-1" },
        Upstream = up ?? Upstream.Normal,
        Camera = new CameraState { Approach = Approach.North, DeviceFeedOnline = deviceOnline, VehicleCount = 12 },
    };

    private static Asset Intersection(params CameraFeed[] cameras) => new()
    {
        Id = "int-1", Type = AssetType.Intersection, District = "d01",
        Intersection = new IntersectionState { Cameras = cameras },
    };

    private static CameraFeed Feed(string id, Approach approach, bool online, int count = 0) =>
        new() { CameraId = id, Approach = approach, Online = online, VehicleCount = count, Cause = online ? [] : [$"{id}: feed lost", "leo-1: link down"] };

    private static readonly Upstream LinkDown = Upstream.Normal with { Backhaul = LinkCondition.Down, BackhaulLinkId = "leo-1", BackhaulSequence = 5 };
    private static readonly Upstream NoPower = Upstream.Normal with { Powered = false, PowerCause = "feeder-1: feeder outage", PowerVersion = 2 };

    [Fact]
    public void A_pole_that_loses_its_link_stays_lit_but_shows_degraded()
    {
        var pole = CascadeRules.Derive(Pole(LinkDown));
        Assert.False(pole.Pole!.Connected);
        Assert.True(pole.Pole.LampOn);
        Assert.Equal(50, pole.Pole.DrawW());
        Assert.Equal(AssetStatus.Degraded, pole.Status);
    }

    [Fact]
    public void A_pole_without_power_is_dark_and_offline()
    {
        var pole = CascadeRules.Derive(Pole(NoPower));
        Assert.False(pole.Pole!.Powered);
        Assert.Equal(0, pole.Pole.DrawW());
        Assert.Equal(AssetStatus.Offline, pole.Status);
    }

    [Theory]
    [InlineData(AssetStatus.Maintenance, AssetStatus.Maintenance)] // maintenance wins over everything
    [InlineData(AssetStatus.Faulted, AssetStatus.Offline)]          // else the worse of the two
    [InlineData(AssetStatus.Operational, AssetStatus.Offline)]
    public void The_operator_status_and_the_state_combine(AssetStatus byOperator, AssetStatus expected) =>
        Assert.Equal(expected, CascadeRules.Derive(Pole(NoPower, byOperator)).Status);

    [Fact]
    public void An_operator_fault_stays_when_the_dependencies_are_fine() =>
        Assert.Equal(AssetStatus.Faulted, CascadeRules.Derive(Pole(byOperator: AssetStatus.Faulted)).Status);

    [Fact]
    public void A_camera_has_a_feed_only_with_device_power_and_backhaul()
    {
        Assert.True(CascadeRules.Derive(Camera()).Camera!.FeedOnline);
        Assert.False(CascadeRules.Derive(Camera(LinkDown)).Camera!.FeedOnline);
        Assert.False(CascadeRules.Derive(Camera(NoPower)).Camera!.FeedOnline);
        Assert.False(CascadeRules.Derive(Camera(deviceOnline: false)).Camera!.FeedOnline);
        Assert.Equal(AssetStatus.Degraded, CascadeRules.Derive(Camera(Upstream.Normal with { Backhaul = LinkCondition.Degraded })).Status);
    }

    [Fact]
    public void A_camera_report_carries_its_cause_chain_to_the_root()
    {
        var report = CascadeRules.Report(CascadeRules.Derive(Camera(LinkDown)), 9);
        Assert.False(report.Online);
        Assert.Equal(0, report.VehicleCount); // no feed, no counts
        Assert.Equal(["cam-1: feed lost", "leo-1: link down"], report.Cause);
        Assert.Equal(["cam-1: feed lost", "feeder-1: feeder outage"], CascadeRules.FeedLossCause(CascadeRules.Derive(Camera(NoPower))));
    }

    [Fact]
    public void An_intersection_falls_back_to_fixed_time_only_when_every_camera_is_lost()
    {
        var one = CascadeRules.Derive(Intersection(Feed("cam-1", Approach.North, false), Feed("cam-2", Approach.East, true)));
        Assert.Equal(ControlMode.Adaptive, one.Intersection!.ActiveMode);
        var all = CascadeRules.Derive(Intersection(Feed("cam-1", Approach.North, false), Feed("cam-2", Approach.East, false)));
        Assert.Equal(ControlMode.FixedTime, all.Intersection!.ActiveMode);
        Assert.Equal(AssetStatus.Degraded, all.Status);
        Assert.True(CascadeRules.FellBack(all.Intersection));
        // No camera has reported yet: fixed time, but nothing was lost.
        var none = CascadeRules.Derive(Intersection());
        Assert.Equal(ControlMode.FixedTime, none.Intersection!.ActiveMode);
        Assert.Equal(AssetStatus.Operational, none.Status);
    }

    [Fact]
    public void Power_loss_makes_signals_dark_and_a_controller_fault_makes_them_flash()
    {
        var online = Intersection(Feed("cam-1", Approach.North, true));
        var dark = CascadeRules.Derive(online with { Upstream = NoPower });
        Assert.Equal(ControlMode.Dark, dark.Intersection!.ActiveMode);
        Assert.Equal(AssetStatus.Offline, dark.Status);
        var flashing = CascadeRules.Derive(online with { Intersection = online.Intersection! with { ControllerFault = true } });
        Assert.Equal(ControlMode.Flashing, flashing.Intersection!.ActiveMode);
        Assert.Equal(AssetStatus.Faulted, flashing.Status);
        // Dark wins: a controller without power cannot flash.
        Assert.Equal(ControlMode.Dark, CascadeRules.Derive(flashing with { Upstream = NoPower }).Intersection!.ActiveMode);
    }

    [Fact]
    public void A_link_shows_its_condition()
    {
        var link = new Asset { Id = "leo-1", Type = AssetType.Link, District = "d01", Link = new LinkState() };
        Assert.Equal(AssetStatus.Operational, CascadeRules.Derive(link).Status);
        Assert.Equal(AssetStatus.Degraded, CascadeRules.Derive(link with { Link = new LinkState { Condition = LinkCondition.Degraded } }).Status);
        Assert.Equal(AssetStatus.Offline, CascadeRules.Derive(link with { Link = new LinkState { Condition = LinkCondition.Down } }).Status);
    }

    public static TheoryData<Asset> Everything => new()
    {
        Pole(), Pole(LinkDown), Pole(NoPower), Camera(), Camera(LinkDown), Camera(NoPower, deviceOnline: false),
        Intersection(), Intersection(Feed("cam-1", Approach.North, true, 20)), Intersection(Feed("cam-1", Approach.South, false)),
    };

    [Theory]
    [MemberData(nameof(Everything))]
    public void Deriving_twice_changes_nothing(Asset asset)
    {
        var once = CascadeRules.Derive(asset);
        Assert.Same(once.Pole, CascadeRules.Derive(once).Pole);
        Assert.Same(once.Camera, CascadeRules.Derive(once).Camera);
        Assert.Same(once.Intersection, CascadeRules.Derive(once).Intersection);
        Assert.Equal(once.Status, CascadeRules.Derive(once).Status);
    }

    [Fact]
    public void The_configuration_puts_derived_state_back_to_neutral()
    {
        var live = CascadeRules.Derive(Intersection(Feed("cam-1", Approach.North, false)) with { Upstream = NoPower });
        var config = CascadeRules.Configuration(live);
        Assert.Equal(Upstream.Normal, config.Upstream);
        Assert.Empty(config.Intersection!.Cameras);
        Assert.Equal(ControlMode.Adaptive, config.Intersection.ActiveMode);
        Assert.Equal(AssetStatus.Operational, config.Status);
    }
}
