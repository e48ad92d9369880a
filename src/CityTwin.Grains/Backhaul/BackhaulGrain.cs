using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Backhaul;
using CityTwin.Grains.Metrics;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Core;

namespace CityTwin.Grains.Backhaul;

/// <summary>
/// The dependents of one LEO link. The link's condition arrives on the link's stream (implicit subscription: this
/// grain's key is the link's id) and goes on to every dependent as a direct call: an explicit stream subscription
/// per dependent would cost the pub-sub store a write of the whole subscriber list per dependent (see
/// docs/architecture.md). Membership is written behind: dependents register again on activation.
/// </summary>
[ImplicitStreamSubscription(TwinStreams.Link)]
public sealed class BackhaulGrain : Grain, IBackhaulGrain, IStreamSubscriptionObserver, IAsyncObserver<LinkSignal>
{
    private readonly IPersistentState<BackhaulGrainState> _state;
    private readonly WriteBehind _writes;
    private readonly TimeProvider _time;
    private readonly TwinMetrics _metrics;
    private string[]? _sortedIds;

    public BackhaulGrain(
        [PersistentState("backhaul", StorageNames.Assets)] IPersistentState<BackhaulGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        TwinMetrics metrics,
        IOptions<TwinOptions> options)
    {
        _state = state;
        _time = time;
        _metrics = metrics;
        _writes = new WriteBehind(this, _state.WriteStateAsync, options.Value.DistrictWriteBehind);
    }

    private Dictionary<string, AssetType> Dependents => _state.State.Dependents;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The link is the truth; what this grain last heard may have died with a silo (in the stream or the
        // write-behind window). If the link says something newer, its dependents may have missed it too: pass it on,
        // once activation is over (dependents that activate call back in).
        var current = await GrainFactory.GetGrain<IAssetGrain>(this.GetPrimaryKeyString()).GetLinkSignalAsync();
        if (current is null || current.Sequence <= (_state.State.Last?.Sequence ?? 0)) return;
        // A newer version with the same condition (the link was renamed, say) is no news for the dependents.
        if (current.Condition == (_state.State.Last?.Condition ?? LinkCondition.Up)) return;
        _state.State.Last = current;
        this.RegisterGrainTimer(() => FanOutAsync(current), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public async Task<LinkSignal?> RegisterAsync(string assetId, AssetType type)
    {
        if (!Dependents.TryGetValue(assetId, out var known) || known != type)
        {
            Dependents[assetId] = type;
            _sortedIds = null;
            await _writes.MarkDirtyAsync();
        }
        return _state.State.Last;
    }

    public async Task UnregisterAsync(string assetId)
    {
        if (!Dependents.Remove(assetId)) return;
        _sortedIds = null;
        await _writes.MarkDirtyAsync();
    }

    public Task<DependentsPage> GetDependentsAsync(string? cursor, int limit)
    {
        _sortedIds ??= Dependents.Keys.Order(StringComparer.Ordinal).ToArray();
        var (page, next) = Paging.After(_sortedIds, cursor, limit);
        return Task.FromResult(new DependentsPage(_sortedIds.Length, [.. page.Select(id => new Dependent(id, Dependents[id], "backhaul"))], next));
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<LinkSignal>().ResumeAsync(this);

    public async Task OnNextAsync(LinkSignal signal, StreamSequenceToken? token = null)
    {
        _metrics.Delivered(TwinStreams.Link, _time.GetUtcNow() - signal.SentAt);
        if (_state.State.Last is { } last && signal.Sequence <= last.Sequence) return; // late or duplicate
        _state.State.Last = signal;
        await FanOutAsync(signal);
    }

    private async Task FanOutAsync(LinkSignal signal)
    {
        await _writes.MarkDirtyAsync();
        await Task.WhenAll(Dependents.Keys.ToArray().Select(id => GrainFactory.GetGrain<IAssetGrain>(id).OnBackhaulAsync(signal)));
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _writes.FlushAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }
}
