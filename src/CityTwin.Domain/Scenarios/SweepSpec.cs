namespace CityTwin.Domain.Scenarios;

/// <summary>
/// Many runs of one scenario as a single job: <see cref="Seeds"/> seeds (the scenario's seed and the next ones), at
/// each value of an optional parameter <see cref="Range"/>. One seed is one sample of the city's random demand; the
/// sweep's result gives each KPI's mean and 5–95 % band across the seeds, for baseline, variant and their difference.
/// </summary>
[GenerateSerializer, Alias("SweepSpec")]
public sealed record SweepSpec
{
    /// <summary>Runs in one sweep at most (points × seeds).</summary>
    public const int MaxRuns = 1_000;

    [Id(0)] public string Name { get; init; } = "";
    /// <summary>The scenario every run starts from (its snapshot is captured once, for every run).</summary>
    [Id(1)] public ScenarioSpec? Scenario { get; init; }
    /// <summary>Runs per point, seeded <c>scenario.seed</c>, <c>scenario.seed + 1</c>, …</summary>
    [Id(2)] public int Seeds { get; init; } = 10;
    /// <summary>A parameter stepped from one value to another; null runs the scenario as it is.</summary>
    [Id(3)] public SweepRange? Range { get; init; }
}
