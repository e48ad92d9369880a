using CityTwin.Contracts.Scenarios;
using CityTwin.Storage;

namespace CityTwin.Grains.Scenarios;

public sealed class SnapshotIndexGrain(
    [PersistentState("snapshots", StorageNames.Assets)] IPersistentState<SnapshotIndexGrainState> state) : Grain, ISnapshotIndexGrain
{
    public async Task<bool> AddAsync(string name)
    {
        var names = state.State.Names;
        var at = names.BinarySearch(name, StringComparer.Ordinal);
        if (at >= 0) return true;
        if (names.Count >= ISnapshotIndexGrain.Capacity) return false;
        names.Insert(~at, name);
        await state.WriteStateAsync();
        return true;
    }

    public async Task RemoveAsync(string name)
    {
        if (state.State.Names.Remove(name)) await state.WriteStateAsync();
    }

    public Task<string[]> NamesAsync() => Task.FromResult(state.State.Names.ToArray());
}
