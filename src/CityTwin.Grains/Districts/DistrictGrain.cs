using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Storage;

namespace CityTwin.Grains.Districts;

/// <summary>
/// A district's membership and counts by type and status. Fed by its assets, which stay the source of truth,
/// so its summary is written behind: after a crash it may lag its assets by at most the write-behind window.
/// </summary>
public sealed class DistrictGrain : Grain, IDistrictGrain
{
    private static readonly int Types = Enum.GetValues<AssetType>().Length;
    private static readonly int Statuses = Enum.GetValues<AssetStatus>().Length;

    private readonly IPersistentState<DistrictGrainState> _state;
    private readonly WriteBehind _writes;
    private readonly int[] _counts = new int[Types * Statuses];
    private string[]? _sortedIds; // page order, rebuilt lazily after membership changes

    public DistrictGrain(
        [PersistentState("district", StorageNames.Assets)] IPersistentState<DistrictGrainState> state,
        IOptions<TwinOptions> options)
    {
        _state = state;
        _writes = new WriteBehind(this, _state.WriteStateAsync, options.Value.DistrictWriteBehind);
    }

    private Dictionary<string, AssetSummary> Members => _state.State.Assets;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var a in Members.Values) _counts[Slot(a)]++;
        return Task.CompletedTask;
    }

    public async Task TrackAsync(AssetSummary asset)
    {
        var known = Members.TryGetValue(asset.Id, out var previous);
        if (known && previous == asset) return;
        if (known) _counts[Slot(previous)]--;
        else
        {
            _sortedIds = null;
            if (Members.Count == 0) await GrainFactory.GetGrain<ICityGrain>(ICityGrain.Key).AddDistrictAsync(this.GetPrimaryKeyString());
        }
        Members[asset.Id] = asset;
        _counts[Slot(asset)]++;
        await _writes.MarkDirtyAsync();
    }

    public async Task ForgetAsync(string assetId)
    {
        if (!Members.Remove(assetId, out var previous)) return;
        _counts[Slot(previous)]--;
        _sortedIds = null;
        await _writes.MarkDirtyAsync();
    }

    public Task<DistrictView> GetAsync(string? cursor, int limit)
    {
        // Counts only (the district list): no need to sort the members.
        if (limit <= 0) return Task.FromResult(new DistrictView(this.GetPrimaryKeyString(), Members.Count, Counts(), [], null));
        _sortedIds ??= Members.Keys.Order(StringComparer.Ordinal).ToArray();
        var start = cursor is null ? 0 : FirstAfter(_sortedIds, cursor);
        var page = _sortedIds.AsSpan(start, Math.Min(limit, _sortedIds.Length - start));
        var assets = new AssetSummary[page.Length];
        for (var i = 0; i < page.Length; i++) assets[i] = Members[page[i]];
        var next = start + page.Length < _sortedIds.Length && page.Length > 0 ? page[^1] : null;
        return Task.FromResult(new DistrictView(this.GetPrimaryKeyString(), Members.Count, Counts(), assets, next));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _writes.FlushAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private StatusCount[] Counts()
    {
        var result = new List<StatusCount>();
        for (var i = 0; i < _counts.Length; i++)
            if (_counts[i] > 0) result.Add(new StatusCount((AssetType)(i / Statuses), (AssetStatus)(i % Statuses), _counts[i]));
        return [.. result];
    }

    private static int Slot(AssetSummary a) => (int)a.Type * Statuses + (int)a.Status;

    /// <summary>Index of the first id ordinally greater than the cursor, so pages stay stable as members come and go.</summary>
    private static int FirstAfter(string[] ids, string cursor)
    {
        var i = Array.BinarySearch(ids, cursor, StringComparer.Ordinal);
        return i >= 0 ? i + 1 : ~i;
    }
}
