namespace CityTwin.Contracts.Scenarios;

/// <summary>The names of the saved snapshots (one per twin, key <see cref="Key"/>).</summary>
[Alias("ISnapshotIndexGrain")]
public interface ISnapshotIndexGrain : IGrainWithStringKey
{
    const string Key = "snapshots";
    const int Capacity = 1_000;

    /// <summary>False when the index is full.</summary>
    [Alias("Add")]
    Task<bool> AddAsync(string name);

    [Alias("Remove")]
    Task RemoveAsync(string name);

    /// <summary>Names in ordinal order.</summary>
    [Alias("Names")]
    Task<string[]> NamesAsync();
}
