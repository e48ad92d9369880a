namespace CityTwin.Storage;

/// <summary>Names of the grain storages the silo registers.</summary>
public static class StorageNames
{
    public const string Assets = "assets";
    public const string PubSub = "PubSubStore";
}
