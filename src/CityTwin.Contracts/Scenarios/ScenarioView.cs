using CityTwin.Domain.Scenarios;

namespace CityTwin.Contracts.Scenarios;

/// <summary>A scenario's status and progress; its result once completed (null before, and after a failure).</summary>
[GenerateSerializer, Alias("ScenarioView")]
public sealed record ScenarioView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public ScenarioStatus Status { get; init; }
    /// <summary>0–1: simulated share of the horizon.</summary>
    [Id(3)] public double Progress { get; init; }
    [Id(4)] public DateTimeOffset? SubmittedAt { get; init; }
    [Id(5)] public DateTimeOffset? StartedAt { get; init; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(7)] public string? Error { get; init; }
    /// <summary>Assets in the snapshot the scenario ran on, and how long capturing it took.</summary>
    [Id(8)] public int SnapshotAssets { get; init; }
    [Id(9)] public double SnapshotSeconds { get; init; }
    [Id(10)] public ScenarioResult? Result { get; init; }
    /// <summary>The result without its districts, intersections and links: what a status poll needs.</summary>
    [Id(11)] public ScenarioResult? Summary { get; init; }
    /// <summary>1, or more when the silo running it stopped and it was started again from its spec.</summary>
    [Id(12)] public int Attempt { get; init; } = 1;
    /// <summary>Why the run is not the first: when and why it started again, and on which snapshot.</summary>
    [Id(13)] public string? Note { get; init; }
}
