namespace CityTwin.Contracts.Events;

/// <summary>
/// A camera's newest vehicle count for the intersection it watches, as of its reading at <paramref name="At"/>: sent
/// by the camera's district, many a call, so counts reach adaptive timing without a call per reading.
/// </summary>
[GenerateSerializer, Immutable, Alias("CameraCount")]
public sealed record CameraCount(
    [property: Id(0)] string CameraId,
    [property: Id(1)] int VehicleCount,
    [property: Id(2)] DateTimeOffset At);
