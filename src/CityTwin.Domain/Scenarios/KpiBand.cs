namespace CityTwin.Domain.Scenarios;

/// <summary>One KPI across a point's runs: baseline, variant, and the variant-minus-baseline difference taken run by run.</summary>
[GenerateSerializer, Immutable, Alias("KpiBand")]
public sealed record KpiBand(
    [property: Id(0)] string Kpi,
    [property: Id(1)] Band Baseline,
    [property: Id(2)] Band Variant,
    [property: Id(3)] Band Delta);
