using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Backhaul;
using CityTwin.Grains.Metrics;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Core;
using Orleans.Placement;

namespace CityTwin.Grains.Backhaul;

/// <summary>
/// The dependents of one LEO link. The link's condition arrives on the link's stream (implicit subscription: this
/// grain's key is the link's id) and goes on to every dependent as a direct call: an explicit stream subscription
/// per dependent would cost the pub-sub store a write of the whole subscriber list per dependent (see
/// docs/architecture.md). Membership is written behind: dependents register again on activation.
/// <para>
/// A fan-out that dies with its silo is finished by the next activation: a reminder, registered before the first
/// dependent is told and removed after the last one was, wakes the grain on a surviving silo, which asks the link for
/// its condition and tells every dependent again (they ignore what they already heard, by sequence). A signal the
/// stream lost (its silo died before this grain took it) is handed over by the link's own reminder (<see cref="CatchUpAsync"/>).
/// </para>
/// </summary>
[ImplicitStreamSubscription(TwinStreams.Link)]
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: a fan-out in progress would wait for its reminder
public sealed class BackhaulGrain : Grain, IBackhaulGrain, IStreamSubscriptionObserver, IAsyncObserver<LinkSignal>, IRemindable
{
    private readonly IPersistentState<BackhaulGrainState> _state;
    private readonly WriteBehind _writes;
    private readonly ResumeReminder _guard; // held while a fan-out is under way
    private readonly TimeProvider _time;
    private readonly TwinMetrics _metrics;
    private string[]? _sortedIds;
    private Task? _fanOut; // the fan-out under way, if any

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
        _guard = new ResumeReminder(this, "fan-out");
    }

    private Dictionary<string, AssetType> Dependents => _state.State.Dependents;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The link is the truth; what this grain last heard, or its last fan-out, may have died with a silo (in the
        // stream, half-way, or in the write-behind window). If the link says something its dependents were not all
        // told, pass it on once activation is over (dependents that activate call back in).
        var current = await GrainFactory.GetGrain<IAssetGrain>(this.GetPrimaryKeyString()).GetLinkSignalAsync();
        // A newer version with the same condition (the link was renamed, say) is no news for the dependents.
        if (current is not null && current.Sequence > (_state.State.Last?.Sequence ?? 0) && current.Condition != (_state.State.Last?.Condition ?? LinkCondition.Up))
            _state.State.Last = current;
        if (_state.State.Last is not { } last || last.Sequence <= (_state.State.FannedOut?.Sequence ?? 0)) return;
        if (last.Condition == (_state.State.FannedOut?.Condition ?? LinkCondition.Up))
        {
            _state.State.FannedOut = last;
            return;
        }
        this.RegisterGrainTimer(() => FanOutAsync(last), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
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

    public async Task CatchUpAsync(LinkSignal signal)
    {
        if (_fanOut is { IsCompleted: false } running) await running;
        // Heard already, or the same condition under a newer version (its latency changed, say): no news for the dependents.
        if (_state.State.Last is { } last && (signal.Sequence <= last.Sequence || signal.Condition == last.Condition)) return;
        if (_state.State.Last is null && signal.Condition == LinkCondition.Up) return;
        _state.State.Last = signal;
        await FanOutAsync(signal);
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<LinkSignal>().ResumeAsync(this);

    public async Task OnNextAsync(LinkSignal signal, StreamSequenceToken? token = null)
    {
        _metrics.Delivered(TwinStreams.Link, _time.GetUtcNow() - signal.SentAt);
        if (_state.State.Last is { } last && signal.Sequence <= last.Sequence) return; // late or duplicate
        _state.State.Last = signal;
        await FanOutAsync(signal);
    }

    private Task FanOutAsync(LinkSignal signal) => _fanOut = FanOutOnceAsync(signal);

    private async Task FanOutOnceAsync(LinkSignal signal)
    {
        await _guard.BeginAsync();
        // Written before anyone is told (as the power grain does): registrations are written behind, and a fan-out
        // resumed after this silo's death reaches only the dependents the stored state names — those on a surviving
        // silo stay active and never register again. A CI run lost 32 cameras' cut this way.
        await _writes.WriteThroughAsync();
        await Task.WhenAll(Dependents.Keys.ToArray().Select(id => GrainFactory.GetGrain<IAssetGrain>(id).OnBackhaulAsync(signal)));
        if (signal.Sequence > (_state.State.FannedOut?.Sequence ?? 0)) _state.State.FannedOut = signal;
        await _writes.MarkDirtyAsync();
        if (_state.State.FannedOut == _state.State.Last) await _guard.EndAsync();
    }

    /// <summary>The guard's reminder: finish a fan-out a dead silo left, or stop reminding.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_fanOut is { IsCompleted: false } running) await running;
        if (_state.State.Last is { } last && last.Sequence > (_state.State.FannedOut?.Sequence ?? 0)) await FanOutAsync(last);
        else await _guard.EndAsync();
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _writes.FlushAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }
}
