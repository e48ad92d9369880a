using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Assets;

/// <summary>The compact view of an asset that districts and indexes keep.</summary>
[GenerateSerializer, Immutable, Alias("AssetSummary")]
public readonly record struct AssetSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] AssetType Type,
    [property: Id(2)] AssetStatus Status,
    [property: Id(3)] GeoPoint Location);
