namespace CityTwin.Domain.Scenarios;

/// <summary>The city or one district: KPI time series and totals for baseline and variant, and the totals' delta.</summary>
[GenerateSerializer, Alias("AreaResult")]
public sealed record AreaResult
{
    /// <summary>The district id, or "city".</summary>
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required KpiSeries Baseline { get; init; }
    [Id(2)] public required KpiSeries Variant { get; init; }
    [Id(3)] public required KpiTotals BaselineTotals { get; init; }
    [Id(4)] public required KpiTotals VariantTotals { get; init; }
    [Id(5)] public required KpiTotals Delta { get; init; }
}
