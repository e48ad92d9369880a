namespace CityTwin.Domain.Queries;

/// <summary>Bounds on what one query may ask, so no request can make the twin walk the whole city in one go.</summary>
public sealed record QueryLimits
{
    public int DefaultPageSize { get; init; } = 100;
    public int MaxPageSize { get; init; } = 1_000;
    public double MaxRadiusM { get; init; } = 10_000;
    public double MaxBoxKm2 { get; init; } = 400;
}
