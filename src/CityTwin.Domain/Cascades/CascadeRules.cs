using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Cascades;

/// <summary>
/// How an asset's dependencies and its own state make up what the twin shows: connectivity, power, camera feed,
/// the signal controller's mode and plan, and the status. Pure and idempotent — <c>Derive(Derive(a)) == Derive(a)</c> —
/// so a repeated or replayed signal changes nothing, and since dependencies only point from links and power to
/// poles and cameras and from cameras to intersections, every cascade ends in a fixed point.
/// </summary>
public static class CascadeRules
{
    /// <summary>The asset with every derived attribute and its status recomputed from its inputs.</summary>
    public static Asset Derive(Asset a)
    {
        var up = a.Upstream;
        var connected = up.Backhaul != LinkCondition.Down;
        // The asset itself when nothing derived changes: readings are derived a hundred thousand times a second.
        var derived = a.Type switch
        {
            AssetType.Pole when a.Pole is { } p => p.Connected == connected && p.Powered == up.Powered ? a : a with { Pole = p with { Connected = connected, Powered = up.Powered } },
            AssetType.Camera when a.Camera is { } c => Camera(c, up.Powered, connected) is var camera && ReferenceEquals(camera, c) ? a : a with { Camera = camera },
            AssetType.Intersection when a.Intersection is { } i => Intersection(i, up.Powered) is var intersection && ReferenceEquals(intersection, i) ? a : a with { Intersection = intersection },
            _ => a,
        };
        var status = Effective(a.OperatorStatus, OwnStatus(derived));
        return derived.Status == status ? derived : derived with { Status = status };
    }

    /// <summary>
    /// The asset as configured: every derived attribute back at its neutral value and the operator's status as the
    /// status. What an export writes, so it re-imports to the same document whatever the live state was.
    /// </summary>
    public static Asset Configuration(Asset a) => a with
    {
        Status = a.OperatorStatus,
        Upstream = Upstream.Normal,
        Pole = a.Pole is { } p ? p with { Connected = true, Powered = true } : null,
        Camera = a.Camera is { } c ? c with { FeedOnline = c.DeviceFeedOnline, Powered = true } : null,
        Intersection = a.Intersection is { } i ? i with { Powered = true, ActiveMode = i.Mode, ActivePlan = null, Cameras = [], DegreeOfSaturation = 0 } : null,
    };

    /// <summary>An operator's maintenance flag wins; otherwise the worse of what the operator set and what the state says.</summary>
    public static AssetStatus Effective(AssetStatus byOperator, AssetStatus byState) =>
        byOperator == AssetStatus.Maintenance ? AssetStatus.Maintenance
        : Rank(byState) > Rank(byOperator) ? byState : byOperator;

    /// <summary>A camera's report to the intersection it watches.</summary>
    public static CameraFeed Report(Asset camera, long sequence)
    {
        var c = camera.Camera!;
        return new CameraFeed
        {
            CameraId = camera.Id,
            Approach = c.Approach,
            Online = c.FeedOnline,
            VehicleCount = c.FeedOnline ? c.VehicleCount : 0,
            CountAt = camera.TelemetryAt,
            Sequence = sequence,
            Cause = c.FeedOnline ? [] : FeedLossCause(camera),
        };
    }

    /// <summary>Why a camera has no feed, the camera first and the root cause last.</summary>
    public static string[] FeedLossCause(Asset camera)
    {
        var up = camera.Upstream;
        var self = $"{camera.Id}: feed lost";
        if (!up.Powered) return [self, up.PowerCause ?? "power outage"];
        if (up.Backhaul == LinkCondition.Down) return [self, $"{up.BackhaulLinkId ?? camera.Dependencies.BackhaulLinkId}: link down"];
        return [self, $"{camera.Id}: device reports no feed"];
    }

    private static CameraState Camera(CameraState c, bool powered, bool connected)
    {
        var online = c.DeviceFeedOnline && powered && connected;
        return c.FeedOnline == online && c.Powered == powered ? c : c with { FeedOnline = online, Powered = powered };
    }

    private static IntersectionState Intersection(IntersectionState i, bool powered)
    {
        var mode = !powered ? ControlMode.Dark
            : i.ControllerFault ? ControlMode.Flashing
            : i.Mode == ControlMode.Adaptive && !i.Cameras.Any(c => c.Online) ? ControlMode.FixedTime
            : i.Mode;
        var flows = AdaptiveTiming.Flows(i.Cameras);
        var plan = mode == ControlMode.Adaptive ? AdaptiveTiming.Retime(i.Plan, flows) : null;
        var saturation = Math.Round(AdaptiveTiming.DegreeOfSaturation(plan ?? i.Plan, flows, mode), 3);
        if (i.Powered == powered && i.ActiveMode == mode && i.DegreeOfSaturation == saturation && SamePlan(i.ActivePlan, plan)) return i;
        return i with { Powered = powered, ActiveMode = mode, ActivePlan = plan, DegreeOfSaturation = saturation };
    }

    private static bool SamePlan(SignalPlan? x, SignalPlan? y) =>
        x is null || y is null ? x is null && y is null
        : x.CycleSeconds == y.CycleSeconds && x.Phases.Select(p => p.GreenSeconds).SequenceEqual(y.Phases.Select(p => p.GreenSeconds));

    /// <summary>The status the asset's own state and its dependencies call for.</summary>
    private static AssetStatus OwnStatus(Asset a) => a.Type switch
    {
        AssetType.Pole when a.Pole is { } p =>
            !p.Powered ? AssetStatus.Offline
            : p.LampFault || p.DriverFault ? AssetStatus.Faulted
            : !p.Connected || a.Upstream.Backhaul == LinkCondition.Degraded ? AssetStatus.Degraded
            : AssetStatus.Operational,
        AssetType.Camera when a.Camera is { } c =>
            !c.FeedOnline ? AssetStatus.Offline
            : a.Upstream.Backhaul == LinkCondition.Degraded ? AssetStatus.Degraded
            : AssetStatus.Operational,
        AssetType.Intersection when a.Intersection is { } i => i.ActiveMode switch
        {
            ControlMode.Dark => AssetStatus.Offline,
            ControlMode.Flashing => AssetStatus.Faulted,
            ControlMode.FixedTime when FellBack(i) => AssetStatus.Degraded,
            _ => AssetStatus.Operational,
        },
        AssetType.Link when a.Link is { } l => l.Condition switch
        {
            LinkCondition.Down => AssetStatus.Offline,
            LinkCondition.Degraded => AssetStatus.Degraded,
            _ => AssetStatus.Operational,
        },
        _ => AssetStatus.Operational,
    };

    /// <summary>
    /// Adaptive control lost every camera it had. (An adaptive intersection no camera has reported to yet runs its
    /// fixed-time plan too, but has lost nothing: no fallback, no alarm.)
    /// </summary>
    public static bool FellBack(IntersectionState i) =>
        i.Mode == ControlMode.Adaptive && i.ActiveMode == ControlMode.FixedTime && i.Cameras.Length > 0;

    private static int Rank(AssetStatus s) => s switch
    {
        AssetStatus.Operational => 0,
        AssetStatus.Degraded => 1,
        AssetStatus.Faulted => 2,
        AssetStatus.Offline => 3,
        _ => 0,
    };
}
