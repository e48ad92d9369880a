using CityTwin.Domain.Assets;
using CityTwin.Domain.Cascades;

namespace CityTwin.Domain.Alarms;

/// <summary>The alarm conditions an asset's derived state calls for. Assets under maintenance raise none.</summary>
public static class AlarmRules
{
    /// <summary>Same alarms: kinds, severities and cause chains, in order.</summary>
    public static bool Same(AlarmCondition[] x, AlarmCondition[] y)
    {
        if (x.Length != y.Length) return false;
        for (var i = 0; i < x.Length; i++)
            if (x[i].Kind != y[i].Kind || x[i].Severity != y[i].Severity || !x[i].Cause.AsSpan().SequenceEqual(y[i].Cause)) return false;
        return true;
    }

    public static AlarmCondition[] Evaluate(Asset a)
    {
        if (a.OperatorStatus == AssetStatus.Maintenance) return [];
        var up = a.Upstream;
        var link = up.BackhaulLinkId ?? a.Dependencies.BackhaulLinkId;
        var power = up.PowerCause ?? "power outage";
        return a.Type switch
        {
            AssetType.Link when a.Link is { } l => l.Condition switch
            {
                LinkCondition.Down => [new(AlarmKind.LinkDown, AlarmSeverity.Critical, [$"{a.Id}: link down"])],
                LinkCondition.Degraded => [new(AlarmKind.LinkDegraded, AlarmSeverity.Minor, [$"{a.Id}: link degraded"])],
                _ => [],
            },
            AssetType.Pole when a.Pole is { } p => Collect(
                !p.Powered ? new(AlarmKind.PowerLoss, AlarmSeverity.Major, [$"{a.Id}: no power", power]) : null,
                p.Powered && !p.Connected ? new(AlarmKind.CommsLoss, AlarmSeverity.Minor, [$"{a.Id}: controller unreachable", $"{link}: link down"]) : null,
                p.LampFault || p.DriverFault ? new(AlarmKind.LampFault, AlarmSeverity.Minor, [$"{a.Id}: {(p.LampFault ? "lamp" : "driver")} fault"]) : null),
            AssetType.Camera when a.Camera is { } c => c.FeedOnline ? [] : [new(AlarmKind.FeedLost, AlarmSeverity.Major, CascadeRules.FeedLossCause(a))],
            AssetType.Intersection when a.Intersection is { } i => i.ActiveMode switch
            {
                ControlMode.Dark => [new(AlarmKind.SignalDark, AlarmSeverity.Critical, [$"{a.Id}: signals dark", power])],
                ControlMode.Flashing => [new(AlarmKind.ControllerFault, AlarmSeverity.Critical, [$"{a.Id}: controller fault, signals flashing"])],
                ControlMode.FixedTime when CascadeRules.FellBack(i) =>
                    [new(AlarmKind.AdaptiveFallback, AlarmSeverity.Warning, [$"{a.Id}: fixed-time fallback, no camera feed", .. FirstLostFeed(i)])],
                _ => [],
            },
            _ => [],
        };
    }

    private static string[] FirstLostFeed(IntersectionState i) =>
        i.Cameras.FirstOrDefault(c => !c.Online)?.Cause ?? [];

    private static AlarmCondition[] Collect(params AlarmCondition?[] conditions) =>
        [.. conditions.Where(c => c is not null).Select(c => c!)];
}
