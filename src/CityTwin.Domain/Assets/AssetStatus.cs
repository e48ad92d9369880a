namespace CityTwin.Domain.Assets;

[GenerateSerializer, Alias("AssetStatus")]
public enum AssetStatus
{
    Operational,
    Degraded,
    Faulted,
    Offline,
    Maintenance,
}
