namespace CityTwin.Contracts.Backhaul;

/// <summary>An asset that depends on another, and how.</summary>
[GenerateSerializer, Immutable, Alias("Dependent")]
public readonly record struct Dependent(
    [property: Id(0)] string Id,
    [property: Id(1)] AssetType Type,
    [property: Id(2)] string Via);
