using CityTwin.Domain.Alarms;
using CityTwin.Domain.Cascades;

namespace CityTwin.Domain.Tests.Cascades;

public sealed class AlarmRulesTests
{
    private static Asset Link(LinkCondition condition, AssetStatus byOperator = AssetStatus.Operational) =>
        CascadeRules.Derive(new Asset { Id = "leo-1", Type = AssetType.Link, District = "d01", OperatorStatus = byOperator, Link = new LinkState { Condition = condition } });

    [Fact]
    public void A_link_down_is_critical_and_degraded_is_minor()
    {
        Assert.Equal(new[] { (AlarmKind.LinkDown, AlarmSeverity.Critical) }, AlarmRules.Evaluate(Link(LinkCondition.Down)).Select(a => (a.Kind, a.Severity)));
        Assert.Equal(new[] { (AlarmKind.LinkDegraded, AlarmSeverity.Minor) }, AlarmRules.Evaluate(Link(LinkCondition.Degraded)).Select(a => (a.Kind, a.Severity)));
        Assert.Empty(AlarmRules.Evaluate(Link(LinkCondition.Up)));
    }

    [Fact]
    public void Assets_under_maintenance_raise_nothing() =>
        Assert.Empty(AlarmRules.Evaluate(Link(LinkCondition.Down, AssetStatus.Maintenance)));

    [Fact]
    public void A_pole_without_power_raises_power_loss_not_comms_loss()
    {
        var pole = CascadeRules.Derive(new Asset
        {
            Id = "pole-1", Type = AssetType.Pole, District = "d01", Pole = new PoleState { LampFault = true },
            Upstream = new Upstream { Powered = false, PowerCause = "district d01: power outage", Backhaul = LinkCondition.Down, BackhaulLinkId = "leo-1" },
        });
        var alarms = AlarmRules.Evaluate(pole);
        Assert.Equal([AlarmKind.PowerLoss, AlarmKind.LampFault], alarms.Select(a => a.Kind));
        Assert.Equal(["pole-1: no power", "district d01: power outage"], alarms[0].Cause);
    }

    [Fact]
    public void A_fallback_alarm_names_the_lost_camera_and_its_root_cause()
    {
        var intersection = CascadeRules.Derive(new Asset
        {
            Id = "int-1", Type = AssetType.Intersection, District = "d01",
            Intersection = new IntersectionState { Cameras = [new CameraFeed { CameraId = "cam-1", Online = false, Cause = ["cam-1: feed lost", "leo-1: link down"] }] },
        });
        var alarm = Assert.Single(AlarmRules.Evaluate(intersection));
        Assert.Equal(AlarmKind.AdaptiveFallback, alarm.Kind);
        Assert.Equal(AlarmSeverity.Warning, alarm.Severity);
        Assert.Equal(["int-1: fixed-time fallback, no camera feed", "cam-1: feed lost", "leo-1: link down"], alarm.Cause);
    }
}
