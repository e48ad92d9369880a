namespace CityTwin.Domain.Scenarios;

/// <summary>
/// Baseline and variant side by side: the city, each district, each intersection and each LEO link. Interval k of
/// every series ends at <see cref="IntervalEndSeconds"/>[k] after the start. Everything here is a pure function of
/// the spec and snapshot (no wall-clock times), so two runs compare equal field by field.
/// </summary>
[GenerateSerializer, Alias("ScenarioResult")]
public sealed record ScenarioResult
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public int Seed { get; init; }
    [Id(2)] public int HorizonSeconds { get; init; }
    [Id(3)] public int[] IntervalEndSeconds { get; init; } = [];
    [Id(4)] public required AreaResult City { get; init; }
    [Id(5)] public AreaResult[] Districts { get; init; } = [];
    [Id(6)] public IntersectionResult[] Intersections { get; init; } = [];
    [Id(7)] public LinkResult[] Links { get; init; } = [];
    /// <summary>Trips that completed in the horizon, and mean time lost per completed trip (queued at signals, stops, spillback and origins).</summary>
    [Id(8)] public double BaselineTripsCompleted { get; init; }
    [Id(9)] public double VariantTripsCompleted { get; init; }
    [Id(10)] public double BaselineMeanTimeLossSeconds { get; init; }
    [Id(11)] public double VariantMeanTimeLossSeconds { get; init; }
    /// <summary>
    /// What to know before reading the deltas: each perturbation that changes nothing (its target already in that
    /// state in the snapshot, a factor of 1, a start after the horizon), and a variant whose KPIs equal the baseline's.
    /// </summary>
    [Id(12)] public string[] Notes { get; init; } = [];
    /// <summary>With demand from the twin: how the estimated demand fits the twin's counts (cameras' and intersections' flows).</summary>
    [Id(13)] public DemandFit? DemandFit { get; init; }
}
