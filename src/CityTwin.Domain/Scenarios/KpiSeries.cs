namespace CityTwin.Domain.Scenarios;

/// <summary>
/// KPIs of a city or district per interval of the run (index k covers [k × interval, (k + 1) × interval)):
/// mean control delay per vehicle crossing a stop line, the longest queue, vehicles through the intersections,
/// the most assets offline at once (offline as the live twin shows it: a link down, a camera without feed, a pole
/// without power, a dark junction), lighting energy, the most cameras without feed at once, and the share of time
/// the LEO links were available (not down).
/// </summary>
[GenerateSerializer, Alias("KpiSeries")]
public sealed record KpiSeries
{
    [Id(0)] public double[] MeanDelaySeconds { get; init; } = [];
    [Id(1)] public double[] MaxQueueVehicles { get; init; } = [];
    [Id(2)] public double[] Throughput { get; init; } = [];
    [Id(3)] public int[] AssetsOffline { get; init; } = [];
    [Id(4)] public double[] EnergyKWh { get; init; } = [];
    [Id(5)] public int[] CamerasWithoutFeed { get; init; } = [];
    [Id(6)] public double[] LinkAvailability { get; init; } = [];
}
