namespace CityTwin.Domain.Scenarios;

/// <summary>A perturbation with its ids turned into snapshot indices once, and its place in the spec (later ones win ties).</summary>
internal sealed record ResolvedPerturbation(Perturbation Source, int Order, int[] Targets, int District)
{
    public static ResolvedPerturbation Resolve(Perturbation p, int order, TwinSnapshot s)
    {
        int[] Find(string[] ids, IEnumerable<string> wanted) => wanted.Select(id => Array.IndexOf(ids, id)).Where(i => i >= 0).Distinct().Order().ToArray();
        var district = p.District is { } d ? Array.IndexOf(s.Districts, d) : -1;
        var targets = p.Kind switch
        {
            PerturbationKind.LinkDown or PerturbationKind.LinkDegraded => Find(s.LinkIds, [p.TargetId!]),
            PerturbationKind.FeederOutage => Find(s.Feeders, [p.TargetId!]),
            PerturbationKind.ControllerFault => Find(s.IntersectionIds, [p.TargetId!]),
            PerturbationKind.CameraFailure => Find(s.CameraIds, p.TargetIds)
                .Concat(district < 0 ? [] : Enumerable.Range(0, s.CameraIds.Length).Where(c => s.CameraDistrict[c] == district)).Distinct().Order().ToArray(),
            PerturbationKind.SignalPlanChange => Find(s.IntersectionIds, p.TargetId is { } one ? [one, .. p.TargetIds] : p.TargetIds),
            _ => [],
        };
        return new(p, order, targets, district);
    }

    public PerturbationKind Kind => Source.Kind;

    /// <summary>Later start wins; for the same start, the one listed later.</summary>
    public bool After(ResolvedPerturbation? other) =>
        other is null || Source.AtSeconds > other.Source.AtSeconds || (Source.AtSeconds == other.Source.AtSeconds && Order > other.Order);
}
