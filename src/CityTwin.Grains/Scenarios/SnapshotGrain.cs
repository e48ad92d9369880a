using CityTwin.Contracts.City;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using CityTwin.Storage;

namespace CityTwin.Grains.Scenarios;

/// <summary>
/// A named snapshot: captured once, read-only, from the live twin (as a scenario captures its own), then kept in the
/// twin's database with the grain's state, so that it outlives the silo and every scenario that names it runs on the
/// same city. Saving is one call at a time (the grain does not interleave), so two saves of one name cannot both win.
/// </summary>
public sealed class SnapshotGrain(
    [PersistentState("snapshot", StorageNames.Assets)] IPersistentState<SnapshotGrainState> state,
    TimeProvider time) : Grain, ISnapshotGrain
{
    private string Name => this.GetPrimaryKeyString();

    public async Task<SnapshotSaveResult> SaveAsync(string source)
    {
        if (state.State.Info is { } existing) return new(SnapshotSaveOutcome.Exists, existing);
        var districts = await GrainFactory.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync();
        if (Name == IScenarioGrain.CitySnapshot || districts.Contains(Name, StringComparer.Ordinal)) return new(SnapshotSaveOutcome.NameTaken, null);
        if (source != IScenarioGrain.CitySnapshot && !districts.Contains(source, StringComparer.Ordinal)) return new(SnapshotSaveOutcome.UnknownSource, null);

        var index = GrainFactory.GetGrain<ISnapshotIndexGrain>(ISnapshotIndexGrain.Key);
        if (!await index.AddAsync(Name)) return new(SnapshotSaveOutcome.Full, null);
        try
        {
            var snapshot = await SnapshotCapture.CaptureAsync(GrainFactory, source == IScenarioGrain.CitySnapshot ? null : source);
            var info = new SnapshotInfo(Name, source, time.GetUtcNow(),
                snapshot.IntersectionCount + snapshot.CameraIds.Length + snapshot.PoleIds.Length + snapshot.LinkIds.Length,
                snapshot.Districts.Length, snapshot.IntersectionCount, snapshot.CameraIds.Length, snapshot.PoleIds.Length, snapshot.LinkIds.Length);
            state.State = new SnapshotGrainState { Info = info, Snapshot = snapshot };
            await state.WriteStateAsync();
            return new(SnapshotSaveOutcome.Saved, info);
        }
        catch
        {
            state.State = new SnapshotGrainState(); // nothing half-saved: not kept, not listed
            await index.RemoveAsync(Name);
            throw;
        }
    }

    public Task<SnapshotInfo?> GetAsync() => Task.FromResult(state.State.Info);

    public Task<TwinSnapshot?> GetSnapshotAsync() => Task.FromResult(state.State.Snapshot);

    public async Task<bool> DeleteAsync()
    {
        if (state.State.Info is null) return false;
        await state.ClearStateAsync();
        state.State = new SnapshotGrainState();
        await GrainFactory.GetGrain<ISnapshotIndexGrain>(ISnapshotIndexGrain.Key).RemoveAsync(Name);
        DeactivateOnIdle(); // its snapshot can be large: not held in memory once deleted
        return true;
    }
}
