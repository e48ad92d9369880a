using CityTwin.Domain.Scenarios;

namespace CityTwin.Contracts.Scenarios;

/// <summary>An optimisation's status and progress (search evaluations spent over its budget), its result, and what was applied.</summary>
[GenerateSerializer, Alias("OptimisationView")]
public sealed record OptimisationView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public ScenarioStatus Status { get; init; }
    [Id(3)] public double Progress { get; init; }
    [Id(4)] public DateTimeOffset? SubmittedAt { get; init; }
    [Id(5)] public DateTimeOffset? StartedAt { get; init; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(7)] public string? Error { get; init; }
    [Id(8)] public int SnapshotAssets { get; init; }
    [Id(9)] public OptimiseResult? Result { get; init; }
    /// <summary>none, applied or reverted: whether the best plans run on the live intersections.</summary>
    [Id(10)] public string Plans { get; init; } = "none";
    /// <summary>Every apply and revert: when, by whom, and each intersection's plan before and after.</summary>
    [Id(11)] public PlanChange[] Changes { get; init; } = [];
    /// <summary>Why the search is not its first run (its silo stopped and it started again from its spec).</summary>
    [Id(12)] public string? Note { get; init; }
}
