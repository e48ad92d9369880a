namespace CityTwin.Contracts.Events;

/// <summary>A camera's feed and counts for the intersection it watches; <paramref name="Detached"/> when it stops watching it.</summary>
[GenerateSerializer, Immutable, Alias("CameraReport")]
public sealed record CameraReport(
    [property: Id(0)] CameraFeed Feed,
    [property: Id(1)] bool Detached,
    [property: Id(2)] DateTimeOffset? CauseAt,
    [property: Id(3)] DateTimeOffset SentAt);
