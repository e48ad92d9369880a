using CityTwin.Contracts.Access;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Access;

/// <summary>Keys and shares, written through before any caller hears that a change is made.</summary>
public sealed class AccessGrain(
    [PersistentState("access", StorageNames.Assets)] IPersistentState<AccessGrainState> state,
    [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time) : Grain, IAccessGrain
{
    private AccessList? _list;

    public async Task<bool> AddKeyAsync(ApiKeyRecord key)
    {
        if (state.State.Keys.Any(k => k.Id == key.Id)) return false;
        state.State.Keys.Add(key);
        await SaveAsync();
        return true;
    }

    public async Task EnsureKeyAsync(ApiKeyRecord key)
    {
        if (state.State.Keys.Any(k => k.Id == key.Id)) return;
        state.State.Keys.Add(key);
        await SaveAsync();
    }

    public async Task<ApiKeyRecord?> RevokeKeyAsync(string id, string by)
    {
        var index = state.State.Keys.FindIndex(k => k.Id == id);
        if (index < 0) return null;
        var key = state.State.Keys[index];
        if (key.RevokedAt is not null) return key;
        state.State.Keys[index] = key = key with { RevokedAt = time.GetUtcNow(), RevokedBy = by };
        await SaveAsync();
        return key;
    }

    public async Task<bool> AddShareAsync(DataShare share)
    {
        if (state.State.Shares.Any(s => s.Id == share.Id)) return false;
        state.State.Shares.Add(share);
        await SaveAsync();
        return true;
    }

    public async Task<DataShare?> RevokeShareAsync(string id, string by)
    {
        var index = state.State.Shares.FindIndex(s => s.Id == id);
        if (index < 0) return null;
        var share = state.State.Shares[index];
        if (share.RevokedAt is not null) return share;
        state.State.Shares[index] = share = share with { RevokedAt = time.GetUtcNow(), RevokedBy = by };
        await SaveAsync();
        return share;
    }

    public Task<AccessList?> GetIfNewerAsync(long version) =>
        Task.FromResult(state.State.Version > version || (version < 0 && state.State.Version == 0)
            ? _list ??= new AccessList(state.State.Version, [.. state.State.Keys], [.. state.State.Shares])
            : null);

    private async Task SaveAsync()
    {
        state.State.Version++;
        _list = null;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not made: the caller hears the failure and the grain forgets the change.
            await state.ReadStateAsync();
            throw;
        }
    }
}
