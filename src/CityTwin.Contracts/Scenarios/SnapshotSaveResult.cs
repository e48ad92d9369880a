namespace CityTwin.Contracts.Scenarios;

[GenerateSerializer, Immutable, Alias("SnapshotSaveResult")]
public sealed record SnapshotSaveResult(
    [property: Id(0)] SnapshotSaveOutcome Outcome,
    [property: Id(1)] SnapshotInfo? Info);
