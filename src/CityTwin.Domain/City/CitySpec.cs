using CityTwin.Domain.Geo;

namespace CityTwin.Domain.City;

/// <summary>What synthetic city to generate. The same spec always gives the same city, bit for bit.</summary>
public sealed record CitySpec
{
    /// <summary>About how many assets (±5 %); 1,000 to 1,000,000.</summary>
    public int TargetAssets { get; init; } = 10_000;
    public int Seed { get; init; } = 42;
    /// <summary>The north-west corner of the grid.</summary>
    public GeoPoint Origin { get; init; } = new(4.30, 50.88);
    /// <summary>How many districts; by default about one per 2,500 assets.</summary>
    public int? Districts { get; init; }
}
