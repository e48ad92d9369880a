namespace CityTwin.Domain.Scenarios;

/// <summary>A city's or district's KPIs over the whole horizon (see <see cref="KpiSeries"/> for each), and their difference.</summary>
[GenerateSerializer, Immutable, Alias("KpiTotals")]
public sealed record KpiTotals
{
    [Id(0)] public double MeanDelaySeconds { get; init; }
    [Id(1)] public double MaxQueueVehicles { get; init; }
    [Id(2)] public double Throughput { get; init; }
    [Id(3)] public int MaxAssetsOffline { get; init; }
    [Id(4)] public double EnergyKWh { get; init; }
    [Id(5)] public int MaxCamerasWithoutFeed { get; init; }
    [Id(6)] public double LinkAvailability { get; init; }

    /// <summary>This minus <paramref name="baseline"/>, field by field: the variant's delta.</summary>
    public KpiTotals Minus(KpiTotals baseline) => new()
    {
        MeanDelaySeconds = MeanDelaySeconds - baseline.MeanDelaySeconds,
        MaxQueueVehicles = MaxQueueVehicles - baseline.MaxQueueVehicles,
        Throughput = Throughput - baseline.Throughput,
        MaxAssetsOffline = MaxAssetsOffline - baseline.MaxAssetsOffline,
        EnergyKWh = EnergyKWh - baseline.EnergyKWh,
        MaxCamerasWithoutFeed = MaxCamerasWithoutFeed - baseline.MaxCamerasWithoutFeed,
        LinkAvailability = LinkAvailability - baseline.LinkAvailability,
    };
}
