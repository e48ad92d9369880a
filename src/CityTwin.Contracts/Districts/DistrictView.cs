namespace CityTwin.Contracts.Districts;

[GenerateSerializer, Immutable, Alias("DistrictView")]
public sealed record DistrictView(
    [property: Id(0)] string Id,
    [property: Id(1)] int Total,
    [property: Id(2)] StatusCount[] Counts,
    [property: Id(3)] AssetSummary[] Assets,
    [property: Id(4)] string? NextCursor,
    /// <summary>Street lighting draw: rated power × dim level of every lit, powered pole.</summary>
    [property: Id(5)] double PowerDrawKw,
    /// <summary>Mean degree of saturation of the district's intersections (≥ 1: demand exceeds capacity).</summary>
    [property: Id(6)] double CongestionIndex,
    /// <summary>Share of the district's assets that are offline.</summary>
    [property: Id(7)] double OfflineRatio);
