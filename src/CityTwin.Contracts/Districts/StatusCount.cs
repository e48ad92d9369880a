namespace CityTwin.Contracts.Districts;

/// <summary>How many assets of one type are in one status.</summary>
[GenerateSerializer, Immutable, Alias("StatusCount")]
public sealed record StatusCount(
    [property: Id(0)] AssetType Type,
    [property: Id(1)] AssetStatus Status,
    [property: Id(2)] int Count);
