using CityTwin.Domain.Geo;

namespace CityTwin.Domain.City;

/// <summary>What synthetic city to generate. The same spec always gives the same city, bit for bit.</summary>
public sealed record CitySpec
{
    /// <summary>How many assets, 1,000 to 1,000,000; the generator hits it exactly (the camera count absorbs the rounding).</summary>
    public int TargetAssets { get; init; } = 10_000;
    public int Seed { get; init; } = 42;
    /// <summary>The centre of the city.</summary>
    public GeoPoint Origin { get; init; } = new(4.35, 50.85);
    /// <summary>How many districts, 1–400; by default one per 2,500 assets. Each district needs at least 4 intersections.</summary>
    public int? Districts { get; init; }
}
