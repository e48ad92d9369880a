namespace CityTwin.Domain.Assets;

/// <summary>Deep content equality for assets (records compare arrays by reference, which is not what import needs).</summary>
internal static class AssetComparer
{
    public static bool SameContent(Asset a, Asset b) =>
        a.Id == b.Id && a.Type == b.Type && a.Name == b.Name && a.Location == b.Location
        && a.District == b.District && a.Status == b.Status && a.OperatorStatus == b.OperatorStatus
        && Same(a.Dependencies, b.Dependencies)
        && Same(a.Pole, b.Pole) && a.Camera == b.Camera && Same(a.Intersection, b.Intersection) && a.Link == b.Link;

    private static bool Same(AssetDependencies x, AssetDependencies y) =>
        x.BackhaulLinkId == y.BackhaulLinkId && x.PowerFeederId == y.PowerFeederId
        && x.WatchedIntersectionId == y.WatchedIntersectionId && x.Neighbours.SequenceEqual(y.Neighbours);

    private static bool Same(PoleState? x, PoleState? y) =>
        x is null || y is null ? x is null && y is null
        : x with { Sensors = [] } == y with { Sensors = [] } && x.Sensors.SequenceEqual(y.Sensors);

    private static bool Same(IntersectionState? x, IntersectionState? y)
    {
        if (x is null || y is null) return x is null && y is null;
        return x.Mode == y.Mode && x.FlowVehPerHour == y.FlowVehPerHour && x.ControllerFault == y.ControllerFault
            && x.Powered == y.Powered && x.QueueLength.SequenceEqual(y.QueueLength) && x.DelaySeconds.SequenceEqual(y.DelaySeconds)
            && x.Plan.CycleSeconds == y.Plan.CycleSeconds && x.Plan.LostTimePerPhaseSeconds == y.Plan.LostTimePerPhaseSeconds
            && x.Plan.Phases.Length == y.Plan.Phases.Length
            && x.Plan.Phases.Zip(y.Plan.Phases).All(p => p.First with { Approaches = [] } == p.Second with { Approaches = [] }
                                                        && p.First.Approaches.SequenceEqual(p.Second.Approaches));
    }
}
