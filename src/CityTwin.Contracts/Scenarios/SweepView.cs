using CityTwin.Domain.Scenarios;

namespace CityTwin.Contracts.Scenarios;

/// <summary>A sweep's status and progress, and its KPI bands over the runs finished so far (all of them once completed).</summary>
[GenerateSerializer, Alias("SweepView")]
public sealed record SweepView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public ScenarioStatus Status { get; init; }
    /// <summary>0–1: runs with an outcome over runs.</summary>
    [Id(3)] public double Progress { get; init; }
    [Id(4)] public int Runs { get; init; }
    /// <summary>Runs handed to a silo and not yet finished.</summary>
    [Id(5)] public int InFlight { get; init; }
    [Id(6)] public DateTimeOffset? SubmittedAt { get; init; }
    [Id(7)] public DateTimeOffset? StartedAt { get; init; }
    [Id(8)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(9)] public string? Error { get; init; }
    [Id(10)] public int SnapshotAssets { get; init; }
    [Id(11)] public double SnapshotSeconds { get; init; }
    /// <summary>Runs finished per silo (its address), so an engineer sees the job was spread.</summary>
    [Id(12)] public Dictionary<string, int> RunsBySilo { get; init; } = [];
    /// <summary>1, or more when the silo coordinating it stopped and it was taken up again (finished runs are kept).</summary>
    [Id(13)] public int Attempt { get; init; } = 1;
    [Id(14)] public string? Note { get; init; }
    [Id(15)] public SweepResult? Result { get; init; }
    /// <summary>Every run's outcome, by index (only when asked for).</summary>
    [Id(16)] public SweepRunOutcome[]? RunOutcomes { get; init; }
}
