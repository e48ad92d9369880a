using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Scenarios;

/// <summary>
/// Field-level checks of a scenario spec, with the API's JSON paths. Given the snapshot it will run on (or with the
/// assets inline), every id a perturbation names is checked to exist and to be of the right kind.
/// </summary>
public static class ScenarioValidator
{
    public const int MaxPerturbations = 1_000;

    public static List<ValidationError> Validate(ScenarioSpec spec, TwinSnapshot? snapshot = null)
    {
        var errors = new List<ValidationError>();
        if (spec.Name is null) errors.Add(new("name", "must not be null"));
        else if (spec.Name.Length > AssetValidator.MaxNameLength) errors.Add(new("name", $"must be at most {AssetValidator.MaxNameLength} characters"));
        switch (spec.SnapshotId, spec.Assets)
        {
            case (null, null): errors.Add(new("snapshotId", "give a snapshotId or the assets")); break;
            case (not null, not null): errors.Add(new("snapshotId", "give a snapshotId or the assets, not both")); break;
            case (not null, _) when !Ids.IsValid(spec.SnapshotId): errors.Add(new("snapshotId", "must be a valid id")); break;
            case (_, { Length: 0 }): errors.Add(new("assets", "must hold at least one asset")); break;
            case (_, { } assets):
                for (var i = 0; i < assets.Length; i++)
                {
                    if (assets[i] is null) { errors.Add(new($"assets[{i}]", "must not be null")); continue; }
                    errors.AddRange(AssetValidator.Validate(assets[i]).Select(e => e.Under($"assets[{i}]")));
                }
                break;
        }
        if (spec.Start.Year is < 1900 or > 2200) errors.Add(new("start", "must be between the years 1900 and 2200"));
        AssetValidator.Range(errors, "horizonSeconds", spec.HorizonSeconds, 60, ScenarioSpec.MaxHorizonSeconds);
        AssetValidator.Range(errors, "intervalSeconds", spec.IntervalSeconds, 10, Math.Max(10, spec.HorizonSeconds));
        AssetValidator.Range(errors, "warmUpSeconds", spec.WarmUpSeconds, 0, 7_200);
        AssetValidator.Range(errors, "utcOffsetMinutes", spec.UtcOffsetMinutes, -720, 840);
        if (spec.Demand is null) errors.Add(new("demand", "must not be null"));
        else
        {
            AssetValidator.Range(errors, "demand.tripsPerHourPerIntersection", spec.Demand.TripsPerHourPerIntersection, 0, 2_000);
            AssetValidator.Range(errors, "demand.fringeShare", spec.Demand.FringeShare, 0, 1);
            AssetValidator.Range(errors, "demand.scale", spec.Demand.Scale, 0, 10);
            if (spec.Demand.FromTwin is { } fromTwin && fromTwin.WindowSpan is not { } window)
                errors.Add(new("demand.fromTwin.window", "must be an ISO 8601 duration such as PT1H"));
            else if (spec.Demand.FromTwin?.WindowSpan is { } span && (span < TimeSpan.FromMinutes(1) || span > TimeSpan.FromDays(1)))
                errors.Add(new("demand.fromTwin.window", "must be between PT1M and P1D"));
        }

        if (spec.Perturbations is null) { errors.Add(new("perturbations", "must not be null")); return errors; }
        if (spec.Perturbations.Length > MaxPerturbations) errors.Add(new("perturbations", $"must hold at most {MaxPerturbations:N0} perturbations"));
        if (errors.Count == 0 && snapshot is null && spec.Assets is { } inline) snapshot = TwinSnapshot.FromAssets(inline);
        var known = snapshot is null ? null : new Known(snapshot);
        for (var k = 0; k < spec.Perturbations.Length; k++)
        {
            var p = spec.Perturbations[k];
            var f = $"perturbations[{k}]";
            if (p is null) { errors.Add(new(f, "must not be null")); continue; }
            Perturbation(p, f, spec.HorizonSeconds, known, errors);
        }
        return errors;
    }

    private static void Perturbation(Perturbation p, string f, int horizon, Known? known, List<ValidationError> errors)
    {
        if (!Enum.IsDefined(p.Kind)) { errors.Add(new($"{f}.kind", "is not a known kind of perturbation")); return; }
        AssetValidator.Range(errors, $"{f}.atSeconds", p.AtSeconds, 0, Math.Max(0, horizon - 1));
        if (p.DurationSeconds is < 1) errors.Add(new($"{f}.durationSeconds", "must be at least 1 when given"));
        if (p.TargetIds is null) { errors.Add(new($"{f}.targetIds", "must not be null")); return; }

        void Needs(bool present, string field, string what)
        {
            if (!present) errors.Add(new($"{f}.{field}", $"is required for {Name(p.Kind)}: {what}"));
        }
        void Refers(string? id, string field, Func<Known, string, bool>? exists, string type)
        {
            if (id is null || known is null || exists is null) return;
            if (!exists(known, id)) errors.Add(new($"{f}.{field}", $"refers to unknown {type} '{id}'"));
        }
        void District() => Refers(p.District, "district", (k, id) => k.Districts.Contains(id), "district");

        switch (p.Kind)
        {
            case PerturbationKind.LinkDown:
                Needs(p.TargetId is not null, "targetId", "the LEO link");
                Refers(p.TargetId, "targetId", (k, id) => k.Links.Contains(id), "link");
                break;
            case PerturbationKind.LinkDegraded:
                Needs(p.TargetId is not null, "targetId", "the LEO link");
                Refers(p.TargetId, "targetId", (k, id) => k.Links.Contains(id), "link");
                Needs(p.RainRateMmPerHour is not null, "rainRateMmPerHour", "the rain rate over the terminal");
                if (p.RainRateMmPerHour is { } rain) AssetValidator.Range(errors, $"{f}.rainRateMmPerHour", rain, 0.1, 300);
                break;
            case PerturbationKind.FeederOutage:
                Needs(p.TargetId is not null, "targetId", "the power feeder");
                Refers(p.TargetId, "targetId", (k, id) => k.Feeders.Contains(id), "feeder");
                break;
            case PerturbationKind.DistrictOutage:
                Needs(p.District is not null, "district", "the district");
                District();
                break;
            case PerturbationKind.ControllerFault:
                Needs(p.TargetId is not null, "targetId", "the intersection");
                Refers(p.TargetId, "targetId", (k, id) => k.Intersections.Contains(id), "intersection");
                break;
            case PerturbationKind.CameraFailure:
                Needs(p.TargetIds.Length > 0 || p.District is not null, "targetIds", "the cameras, or a district for all of its cameras");
                for (var i = 0; i < p.TargetIds.Length; i++) Refers(p.TargetIds[i], $"targetIds[{i}]", (k, id) => k.Cameras.Contains(id), "camera");
                District();
                break;
            case PerturbationKind.DemandFactor:
                Needs(p.Factor is not null, "factor", "the demand multiplier");
                if (p.Factor is { } factor) AssetValidator.Range(errors, $"{f}.factor", factor, 0, 10);
                District();
                break;
            case PerturbationKind.SignalPlanChange:
                Needs(p.TargetIds.Length > 0 || p.TargetId is not null, "targetIds", "the intersections");
                Refers(p.TargetId, "targetId", (k, id) => k.Intersections.Contains(id), "intersection");
                for (var i = 0; i < p.TargetIds.Length; i++) Refers(p.TargetIds[i], $"targetIds[{i}]", (k, id) => k.Intersections.Contains(id), "intersection");
                Needs(p.Plan is not null, "plan", "the new signal plan");
                if (p.Plan is { } plan) SignalPlanValidator.Validate(plan, errors, $"{f}.plan");
                break;
            case PerturbationKind.LightingPolicy:
                Needs(p.Lighting is not null, "lighting", "the dimming profile");
                if (p.Lighting is { } profile) Profile(profile, $"{f}.lighting", errors);
                District();
                break;
        }
    }

    private static void Profile(Lighting.DimmingProfile profile, string f, List<ValidationError> errors)
    {
        AssetValidator.Range(errors, $"{f}.duskLevelPercent", profile.DuskLevelPercent, 0, 100);
        if (profile.Steps is null) { errors.Add(new($"{f}.steps", "must not be null")); return; }
        if (profile.Steps.Length > 24) errors.Add(new($"{f}.steps", "must hold at most 24 steps"));
        for (var i = 0; i < profile.Steps.Length; i++)
        {
            if (profile.Steps[i] is not { } step) { errors.Add(new($"{f}.steps[{i}]", "must not be null")); continue; }
            AssetValidator.Range(errors, $"{f}.steps[{i}].atHour", step.AtHour, 0, 24);
            AssetValidator.Range(errors, $"{f}.steps[{i}].levelPercent", step.LevelPercent, 0, 100);
        }
    }

    private static string Name(PerturbationKind kind) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private sealed class Known(TwinSnapshot s)
    {
        public readonly HashSet<string> Districts = new(s.Districts, StringComparer.Ordinal);
        public readonly HashSet<string> Feeders = new(s.Feeders, StringComparer.Ordinal);
        public readonly HashSet<string> Intersections = new(s.IntersectionIds, StringComparer.Ordinal);
        public readonly HashSet<string> Cameras = new(s.CameraIds, StringComparer.Ordinal);
        public readonly HashSet<string> Links = new(s.LinkIds, StringComparer.Ordinal);
    }
}
