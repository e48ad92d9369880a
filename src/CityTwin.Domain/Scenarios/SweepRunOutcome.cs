namespace CityTwin.Domain.Scenarios;

/// <summary>
/// What one run of a sweep gave: the city's KPI totals, trips and time loss for baseline and variant (or why it
/// failed), where it ran and how long it took. Small on purpose: a sweep keeps every run's outcome.
/// </summary>
[GenerateSerializer, Alias("SweepRunOutcome")]
public sealed record SweepRunOutcome
{
    [Id(0)] public int Index { get; init; }
    [Id(1)] public double? Value { get; init; }
    [Id(2)] public int Seed { get; init; }
    [Id(3)] public KpiTotals? Baseline { get; init; }
    [Id(4)] public KpiTotals? Variant { get; init; }
    [Id(5)] public double BaselineTripsCompleted { get; init; }
    [Id(6)] public double VariantTripsCompleted { get; init; }
    [Id(7)] public double BaselineMeanTimeLossSeconds { get; init; }
    [Id(8)] public double VariantMeanTimeLossSeconds { get; init; }
    [Id(9)] public string[] Notes { get; init; } = [];
    [Id(10)] public string? Error { get; init; }
    /// <summary>The silo that ran it, and its simulation's wall time.</summary>
    [Id(11)] public string Silo { get; init; } = "";
    [Id(12)] public double Seconds { get; init; }

    public bool Succeeded => Error is null && Baseline is not null && Variant is not null;

    public static SweepRunOutcome Of(SweepRun run, ScenarioResult result, string silo, double seconds) => new()
    {
        Index = run.Index,
        Value = run.Value,
        Seed = run.Seed,
        Baseline = result.City.BaselineTotals,
        Variant = result.City.VariantTotals,
        BaselineTripsCompleted = result.BaselineTripsCompleted,
        VariantTripsCompleted = result.VariantTripsCompleted,
        BaselineMeanTimeLossSeconds = result.BaselineMeanTimeLossSeconds,
        VariantMeanTimeLossSeconds = result.VariantMeanTimeLossSeconds,
        Notes = result.Notes,
        Silo = silo,
        Seconds = seconds,
    };

    public static SweepRunOutcome Failed(SweepRun run, string error, string silo) =>
        new() { Index = run.Index, Value = run.Value, Seed = run.Seed, Error = error, Silo = silo };
}
