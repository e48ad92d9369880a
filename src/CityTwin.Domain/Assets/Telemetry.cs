namespace CityTwin.Domain.Assets;

/// <summary>
/// A reading from a field device. Every value is optional; only those that belong to the asset's type are
/// accepted. The timestamp orders readings: an older one than the last applied is ignored, never applied.
/// Immutable (its arrays too, by convention, like every record here): a reading passed between grains of one silo is
/// not deep-copied, which at a hundred thousand readings a second is most of a call's cost.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, OmitDefaultMemberValues, Alias("Telemetry")]
public sealed record Telemetry
{
    [Id(0)] public DateTimeOffset? Timestamp { get; init; }
    // Pole
    [Id(1)] public bool? LampOn { get; init; }
    [Id(2)] public double? DimLevel { get; init; }
    [Id(3)] public double? PowerW { get; init; }
    [Id(4)] public double? EnergyKWh { get; init; }
    [Id(5)] public double? IlluminanceLevel { get; init; }
    [Id(6)] public bool? LampFault { get; init; }
    [Id(7)] public bool? DriverFault { get; init; }
    // Camera
    [Id(8)] public bool? FeedOnline { get; init; }
    [Id(9)] public double? FrameRate { get; init; }
    [Id(10)] public int? VehicleCount { get; init; }
    [Id(11)] public int? PedestrianCount { get; init; }
    [Id(12)] public double? DetectionConfidence { get; init; }
    // Intersection
    [Id(13)] public double[]? QueueLength { get; init; }
    [Id(14)] public double[]? DelaySeconds { get; init; }
    [Id(15)] public double? FlowVehPerHour { get; init; }
    // Link
    [Id(16)] public string? SatelliteId { get; init; }
    [Id(17)] public double? ElevationDeg { get; init; }
    [Id(18)] public double? SlantRangeKm { get; init; }
    [Id(19)] public double? LatencyMs { get; init; }
    [Id(20)] public double? ThroughputMbps { get; init; }
    [Id(21)] public double? PacketLossPct { get; init; }
    [Id(22)] public double? RainFadeDb { get; init; }
}
