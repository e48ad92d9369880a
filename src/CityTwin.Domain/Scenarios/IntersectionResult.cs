namespace CityTwin.Domain.Scenarios;

/// <summary>An intersection in baseline and variant: totals, and the delay and longest queue per interval.</summary>
[GenerateSerializer, Alias("IntersectionResult")]
public sealed record IntersectionResult
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string District { get; init; }
    [Id(2)] public required IntersectionKpis Baseline { get; init; }
    [Id(3)] public required IntersectionKpis Variant { get; init; }
    [Id(4)] public double[] BaselineDelaySeconds { get; init; } = [];
    [Id(5)] public double[] VariantDelaySeconds { get; init; } = [];
    [Id(6)] public double[] BaselineMaxQueueVehicles { get; init; } = [];
    [Id(7)] public double[] VariantMaxQueueVehicles { get; init; } = [];

    public double DelayDeltaSeconds => Variant.MeanDelaySeconds - Baseline.MeanDelaySeconds;
}
