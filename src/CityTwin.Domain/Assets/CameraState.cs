namespace CityTwin.Domain.Assets;

/// <summary>Live attributes of a traffic camera (FIWARE <c>Device</c> + <c>TrafficFlowObserved</c> counts).</summary>
[GenerateSerializer, Alias("CameraState")]
public sealed record CameraState
{
    /// <summary>Whether the twin receives the feed: the device reports it and has power and backhaul. Derived.</summary>
    [Id(0)] public bool FeedOnline { get; init; } = true;
    [Id(1)] public double FrameRate { get; init; } = 25;
    /// <summary>The approach of the watched intersection this camera counts.</summary>
    [Id(2)] public Approach Approach { get; init; }
    /// <summary>Vehicles counted in the last reporting interval.</summary>
    [Id(3)] public int VehicleCount { get; init; }
    [Id(4)] public int PedestrianCount { get; init; }
    /// <summary>Mean detection confidence 0–1.</summary>
    [Id(5)] public double DetectionConfidence { get; init; } = 0.9;
    [Id(6)] public bool Powered { get; init; } = true;
    /// <summary>What the device itself last reported (telemetry <c>feedOnline</c>).</summary>
    [Id(7)] public bool DeviceFeedOnline { get; init; } = true;
}
