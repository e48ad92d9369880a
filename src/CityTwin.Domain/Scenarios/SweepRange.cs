namespace CityTwin.Domain.Scenarios;

/// <summary>
/// A parameter of the scenario stepped from <see cref="From"/> to <see cref="To"/> (inclusive) by <see cref="Step"/>.
/// Parameters: <c>demand.scale</c> (all trips, baseline and variant), <c>demand.tripsPerHourPerIntersection</c>,
/// <c>perturbations[i].factor</c> (a demandFactor's, the variant only) and <c>perturbations[i].rainRateMmPerHour</c>
/// (a linkDegraded's).
/// </summary>
[GenerateSerializer, Alias("SweepRange")]
public sealed record SweepRange
{
    [Id(0)] public string Parameter { get; init; } = "";
    [Id(1)] public double From { get; init; }
    [Id(2)] public double To { get; init; }
    [Id(3)] public double Step { get; init; } = 1;
}
