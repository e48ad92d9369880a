namespace CityTwin.Contracts.Districts;

[GenerateSerializer, Immutable, Alias("DistrictView")]
public sealed record DistrictView(
    [property: Id(0)] string Id,
    [property: Id(1)] int Total,
    [property: Id(2)] StatusCount[] Counts,
    [property: Id(3)] AssetSummary[] Assets,
    [property: Id(4)] string? NextCursor);
