namespace CityTwin.Domain.Scenarios;

/// <summary>A LEO link (ground terminal) in baseline and variant: totals and availability per interval.</summary>
[GenerateSerializer, Alias("LinkResult")]
public sealed record LinkResult
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string District { get; init; }
    [Id(2)] public required LinkKpis Baseline { get; init; }
    [Id(3)] public required LinkKpis Variant { get; init; }
    [Id(4)] public double[] BaselineAvailability { get; init; } = [];
    [Id(5)] public double[] VariantAvailability { get; init; } = [];
}
