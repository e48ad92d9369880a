using CityTwin.Domain.Scenarios;

namespace CityTwin.Contracts.Scenarios;

/// <summary>
/// A named snapshot, keyed by its name: a district of the live twin (or the whole city) frozen once, stored in the
/// twin's database, and reused by as many scenarios as name it in <c>snapshotId</c> — each then runs on the same
/// city, whatever the live twin has done since.
/// </summary>
[Alias("ISnapshotGrain")]
public interface ISnapshotGrain : IGrainWithStringKey
{
    /// <summary>Captures <paramref name="source"/> (a district id or <see cref="IScenarioGrain.CitySnapshot"/>) and keeps it.</summary>
    [Alias("Save")]
    Task<SnapshotSaveResult> SaveAsync(string source);

    /// <summary>What it holds; null if no snapshot has this name.</summary>
    [Alias("Get")]
    Task<SnapshotInfo?> GetAsync();

    /// <summary>The snapshot itself; null if no snapshot has this name.</summary>
    [Alias("GetSnapshot")]
    Task<TwinSnapshot?> GetSnapshotAsync();

    /// <summary>False if there was nothing to delete.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync();
}
