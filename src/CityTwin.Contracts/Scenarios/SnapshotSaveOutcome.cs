namespace CityTwin.Contracts.Scenarios;

/// <summary>What became of a request to save a named snapshot.</summary>
[GenerateSerializer, Alias("SnapshotSaveOutcome")]
public enum SnapshotSaveOutcome
{
    Saved,
    /// <summary>A snapshot has this name: names are not reused until it is deleted.</summary>
    Exists,
    /// <summary>The source names no district of the live twin (nor the whole city).</summary>
    UnknownSource,
    /// <summary>The name is a district's or the city's: a spec's snapshotId would not say which it meant.</summary>
    NameTaken,
    /// <summary><see cref="ISnapshotIndexGrain.Capacity"/> snapshots are kept: delete one first.</summary>
    Full,
}
