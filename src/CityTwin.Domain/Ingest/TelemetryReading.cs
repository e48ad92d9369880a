using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Ingest;

/// <summary>One reading of a batch: the asset it is for, and what the device reported.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("TelemetryReading")]
public sealed record TelemetryReading([property: Id(0)] string AssetId, [property: Id(1)] Telemetry Telemetry);
