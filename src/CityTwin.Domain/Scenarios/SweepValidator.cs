using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Scenarios;

/// <summary>Field-level checks of a sweep: its scenario (under <c>scenario.</c>), its seeds and range, and the runs they make.</summary>
public static class SweepValidator
{
    public const int MaxSeeds = SweepSpec.MaxRuns;

    public static List<ValidationError> Validate(SweepSpec sweep, TwinSnapshot? snapshot = null)
    {
        var errors = new List<ValidationError>();
        if (sweep.Name is null) errors.Add(new("name", "must not be null"));
        else if (sweep.Name.Length > AssetValidator.MaxNameLength) errors.Add(new("name", $"must be at most {AssetValidator.MaxNameLength} characters"));
        AssetValidator.Range(errors, "seeds", sweep.Seeds, 1, MaxSeeds);
        if (sweep.Scenario is not { } scenario) { errors.Add(new("scenario", "is required: the scenario every run starts from")); return errors; }
        var scenarioErrors = ScenarioValidator.Validate(scenario, snapshot);
        errors.AddRange(scenarioErrors.Select(e => e.Under("scenario")));
        if (sweep.Range is not { } range) return errors;

        var points = SweepPlan.Count(range);
        if (!double.IsFinite(range.From)) errors.Add(new("range.from", "must be a number"));
        if (!double.IsFinite(range.To) || range.To < range.From) errors.Add(new("range.to", "must be a number not below range.from"));
        if (!(range.Step > 0) || !double.IsFinite(range.Step)) errors.Add(new("range.step", "must be above 0"));
        else if (points > 0 && (long)points * Math.Max(1, sweep.Seeds) > SweepSpec.MaxRuns)
            errors.Add(new("range", $"makes {(long)points * Math.Max(1, sweep.Seeds):N0} runs with {sweep.Seeds} seeds; a sweep runs at most {SweepSpec.MaxRuns:N0}"));

        var parameter = range.Parameter;
        if (parameter is SweepPlan.DemandScale or SweepPlan.DemandTrips) { }
        else if (parameter is not null && SweepPlan.Perturbation(parameter) is var (index, field))
        {
            if (index >= (scenario.Perturbations?.Length ?? 0))
                errors.Add(new("range.parameter", $"names perturbation {index}, but the scenario has {scenario.Perturbations?.Length ?? 0}"));
            else if (scenario.Perturbations![index] is { } p && (field, p.Kind) is not ("factor", PerturbationKind.DemandFactor) and not ("rainRateMmPerHour", PerturbationKind.LinkDegraded))
                errors.Add(new("range.parameter", $"perturbation {index} is a {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Kind.ToString())}: it has no {field} to step"));
        }
        else errors.Add(new("range.parameter", $"must be {SweepPlan.DemandScale}, {SweepPlan.DemandTrips}, perturbations[i].factor or perturbations[i].rainRateMmPerHour"));

        // The range's ends must make valid scenarios (the value's own bounds); the ids they name were checked above.
        if (errors.Count == 0 && points > 0 && scenarioErrors.Count == 0)
            foreach (var value in new[] { range.From, SweepPlan.Values(range)[^1] }.Distinct())
                errors.AddRange(ScenarioValidator.Validate(SweepPlan.With(scenario, parameter!, value) with { Assets = null, SnapshotId = "range" })
                    .Select(e => new ValidationError("range", $"{parameter} = {value}: {e.Field} {e.Message}")));
        return errors;
    }
}
