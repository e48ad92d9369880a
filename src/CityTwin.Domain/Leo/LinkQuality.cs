namespace CityTwin.Domain.Leo;

/// <summary>
/// A terminal's link at one instant: its status and margin, the rain fade in it, the throughput it still carries and
/// the round-trip time (NaN when down).
/// </summary>
public readonly record struct LinkQuality(LinkStatus Status, double MarginDb, double RainFadeDb, double ThroughputMbps, double RoundTripMs);
