using CityTwin.Contracts.Scenarios;
using CityTwin.Storage;

namespace CityTwin.Grains.Scenarios;

public sealed class ScenarioIndexGrain(
    [PersistentState("scenarios", StorageNames.Assets)] IPersistentState<ScenarioIndexGrainState> state) : Grain, IScenarioIndexGrain
{
    public async Task AddAsync(string scenarioId)
    {
        var ids = state.State.Ids;
        ids.Remove(scenarioId);
        ids.Insert(0, scenarioId);
        if (ids.Count > IScenarioIndexGrain.Capacity) ids.RemoveRange(IScenarioIndexGrain.Capacity, ids.Count - IScenarioIndexGrain.Capacity);
        await state.WriteStateAsync();
    }

    public Task<string[]> RecentAsync(int limit) => Task.FromResult(state.State.Ids.Take(Math.Max(0, limit)).ToArray());
}
