namespace CityTwin.Domain.Scenarios;

/// <summary>
/// A LEO ground terminal over the horizon: share of time available (up or degraded), share degraded, mean round trip
/// and throughput while available, and handovers between satellites.
/// </summary>
[GenerateSerializer, Alias("LinkKpis")]
public sealed record LinkKpis
{
    [Id(0)] public double Availability { get; init; }
    [Id(1)] public double DegradedShare { get; init; }
    [Id(2)] public double MeanRoundTripMs { get; init; }
    [Id(3)] public double MeanThroughputMbps { get; init; }
    [Id(4)] public int Handovers { get; init; }
}
