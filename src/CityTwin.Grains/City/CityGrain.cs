using CityTwin.Contracts.City;
using CityTwin.Storage;

namespace CityTwin.Grains.City;

/// <summary>The registry of districts. Changes are rare (a new district), so they are written through.</summary>
public sealed class CityGrain(
    [PersistentState("city", StorageNames.Assets)] IPersistentState<CityGrainState> state) : Grain, ICityGrain
{
    public async Task AddDistrictAsync(string districtId)
    {
        if (state.State.Districts.Add(districtId)) await state.WriteStateAsync();
    }

    public Task<string[]> GetDistrictsAsync() => Task.FromResult(state.State.Districts.Order(StringComparer.Ordinal).ToArray());

    public async Task<bool> ClaimSeedingAsync()
    {
        if (state.State.SeedingClaimed || state.State.Districts.Count > 0) return false;
        state.State.SeedingClaimed = true;
        await state.WriteStateAsync();
        return true;
    }
}
