namespace CityTwin.Domain.Assets;

/// <summary>The last report an intersection received from one of the cameras that watch it.</summary>
[GenerateSerializer, Immutable, Alias("CameraFeed")]
public sealed record CameraFeed
{
    [Id(0)] public required string CameraId { get; init; }
    [Id(1)] public Approach Approach { get; init; }
    [Id(2)] public bool Online { get; init; } = true;
    /// <summary>Vehicles counted in the camera's last one-minute interval.</summary>
    [Id(3)] public int VehicleCount { get; init; }
    /// <summary>The camera's sequence number when it sent this report.</summary>
    [Id(4)] public long Sequence { get; init; }
    /// <summary>Why the feed is lost, root cause last (empty while online).</summary>
    [Id(5)] public string[] Cause { get; init; } = [];
    /// <summary>When the camera read <see cref="VehicleCount"/>: counts also come from its district, and the newer wins.</summary>
    [Id(6)] public DateTimeOffset? CountAt { get; init; }
}
