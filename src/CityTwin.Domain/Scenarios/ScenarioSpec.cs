namespace CityTwin.Domain.Scenarios;

/// <summary>
/// A what-if: the twin as it was (a stored snapshot, or the assets given inline), timed perturbations, a horizon and
/// a seed. The baseline is the same twin without the perturbations. Same spec and seed → the same result, bit for bit.
/// </summary>
[GenerateSerializer, Alias("ScenarioSpec")]
public sealed record ScenarioSpec
{
    public const int MaxHorizonSeconds = 86_400;

    [Id(0)] public string Name { get; init; } = "";
    /// <summary>A stored snapshot to run on; its owner resolves it. Either this or <see cref="Assets"/>.</summary>
    [Id(1)] public string? SnapshotId { get; init; }
    [Id(2)] public Assets.Asset[]? Assets { get; init; }
    /// <summary>Wall-clock start of the simulated period (UTC): sets the sun, hence the lights, and the satellites' positions.</summary>
    [Id(3)] public DateTimeOffset Start { get; init; }
    [Id(4)] public int HorizonSeconds { get; init; } = 3_600;
    [Id(5)] public int Seed { get; init; } = 1;
    [Id(6)] public Perturbation[] Perturbations { get; init; } = [];
    [Id(7)] public DemandSpec Demand { get; init; } = new();
    /// <summary>Length of one step of the KPI time series.</summary>
    [Id(8)] public int IntervalSeconds { get; init; } = 300;
    /// <summary>Traffic simulated before the start so queues are realistic at t = 0 (shared by baseline and variant).</summary>
    [Id(9)] public int WarmUpSeconds { get; init; } = 600;
    /// <summary>Local time = UTC + this; lighting profiles are in local clock time.</summary>
    [Id(10)] public int UtcOffsetMinutes { get; init; } = 60;
}
