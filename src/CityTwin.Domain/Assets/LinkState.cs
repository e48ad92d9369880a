namespace CityTwin.Domain.Assets;

/// <summary>Live attributes of a LEO satellite backhaul link (ground terminal to constellation).</summary>
[GenerateSerializer, Alias("LinkState")]
public sealed record LinkState
{
    [Id(0)] public string? SatelliteId { get; init; }
    [Id(1)] public double ElevationDeg { get; init; } = 60;
    [Id(2)] public double SlantRangeKm { get; init; } = 630;
    /// <summary>Round-trip latency; Starlink-like median ≈ 50 ms (MODELS.md).</summary>
    [Id(3)] public double LatencyMs { get; init; } = 50;
    [Id(4)] public double ThroughputMbps { get; init; } = 150;
    [Id(5)] public double PacketLossPct { get; init; }
    [Id(6)] public double RainFadeDb { get; init; }
    [Id(7)] public long Handovers { get; init; }
    [Id(8)] public LinkCondition Condition { get; init; } = LinkCondition.Up;
}
