namespace CityTwin.Contracts.Assets;

/// <summary>What an asset is and where: enough to check an MQTT topic (<c>city/{district}/{type}/{id}/telemetry</c>) against it.</summary>
[GenerateSerializer, Immutable, Alias("AssetPlace")]
public sealed record AssetPlace(
    [property: Id(0)] AssetType Type,
    [property: Id(1)] string District);
