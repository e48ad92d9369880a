namespace CityTwin.Domain.Assets;

public enum AssetStatus
{
    Operational,
    Degraded,
    Faulted,
    Offline,
    Maintenance,
}
