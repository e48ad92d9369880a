using CityTwin.Domain.Assets;
using CityTwin.Domain.Lighting;

namespace CityTwin.Domain.Scenarios;

/// <summary>
/// One timed change to the variant, active from <see cref="AtSeconds"/> (after the scenario's start) for
/// <see cref="DurationSeconds"/> (to the end when null). Fields a kind does not use must be left empty.
/// </summary>
[GenerateSerializer, Alias("Perturbation")]
public sealed record Perturbation
{
    [Id(0)] public PerturbationKind Kind { get; init; }
    [Id(1)] public int AtSeconds { get; init; }
    [Id(2)] public int? DurationSeconds { get; init; }
    [Id(3)] public string? TargetId { get; init; }
    [Id(4)] public string[] TargetIds { get; init; } = [];
    [Id(5)] public string? District { get; init; }
    [Id(6)] public double? Factor { get; init; }
    [Id(7)] public double? RainRateMmPerHour { get; init; }
    [Id(8)] public SignalPlan? Plan { get; init; }
    [Id(9)] public DimmingProfile? Lighting { get; init; }

    /// <summary>Whether the perturbation is in force at second <paramref name="t"/> of the scenario.</summary>
    public bool ActiveAt(int t) => t >= AtSeconds && (DurationSeconds is not { } d || t < AtSeconds + d);
}
