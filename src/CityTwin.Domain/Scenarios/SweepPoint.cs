namespace CityTwin.Domain.Scenarios;

/// <summary>One value of a sweep's parameter (null without a range): how many runs it had and each KPI's band across them.</summary>
[GenerateSerializer, Alias("SweepPoint")]
public sealed record SweepPoint
{
    [Id(0)] public double? Value { get; init; }
    [Id(1)] public int Runs { get; init; }
    [Id(2)] public int Completed { get; init; }
    [Id(3)] public int Failed { get; init; }
    [Id(4)] public KpiBand[] Kpis { get; init; } = [];
}
