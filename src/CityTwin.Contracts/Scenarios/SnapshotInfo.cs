namespace CityTwin.Contracts.Scenarios;

/// <summary>A named snapshot: what it was taken of and when, and what it holds.</summary>
[GenerateSerializer, Immutable, Alias("SnapshotInfo")]
public sealed record SnapshotInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Source,
    [property: Id(2)] DateTimeOffset TakenAt,
    [property: Id(3)] int Assets,
    [property: Id(4)] int Districts,
    [property: Id(5)] int Intersections,
    [property: Id(6)] int Cameras,
    [property: Id(7)] int Poles,
    [property: Id(8)] int Links);
