namespace CityTwin.Domain.Scenarios;

/// <summary>One run of a sweep: its place in the job, the parameter's value (null without a range), its seed and the spec it runs.</summary>
[GenerateSerializer, Alias("SweepRun")]
public sealed record SweepRun(
    [property: Id(0)] int Index,
    [property: Id(1)] double? Value,
    [property: Id(2)] int Seed,
    [property: Id(3)] ScenarioSpec Spec);
