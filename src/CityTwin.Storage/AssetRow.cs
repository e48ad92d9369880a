namespace CityTwin.Storage;

/// <summary>One asset's stored state: the grain's serialized state and the stamp that orders its writes (newer wins).</summary>
public readonly record struct AssetRow(string Id, long Stamp, byte[] Payload);
