using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Power;
using CityTwin.Domain.Assets;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;

namespace CityTwin.Grains.Power;

/// <summary>
/// A district's power: the district supply and its feeders. Outages and restorations are written through with a new
/// version, then sent to every affected asset; who hangs on which feeder is written behind (assets register again
/// on activation). A fan-out that dies with its silo is finished on a surviving one: a <see cref="ResumeReminder"/>
/// held during the fan-out activates the grain there, and activation sends the pending change again.
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: a fan-out in progress would wait for its reminder
public sealed class PowerGrain : Grain, IPowerGrain, IRemindable
{
    private readonly IPersistentState<PowerGrainState> _state;
    private readonly WriteBehind _writes;
    private readonly ResumeReminder _guard; // held while a fan-out is under way
    private readonly TimeProvider _time;

    public PowerGrain(
        [PersistentState("power", StorageNames.Assets)] IPersistentState<PowerGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        IOptions<TwinOptions> options)
    {
        _state = state;
        _time = time;
        _writes = new WriteBehind(this, _state.WriteStateAsync, options.Value.DistrictWriteBehind);
        _guard = new ResumeReminder(this, "fan-out");
    }

    private PowerGrainState State => _state.State;

    private string District => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A silo died during a fan-out: tell everyone again once activation is over (assets that activate call back in).
        if (State.Pending) this.RegisterGrainTimer(() => FanOutAsync(null), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public async Task<PowerView?> SetAsync(string? feederId, bool on)
    {
        if (feederId is not null && !State.Assets.ContainsValue(feederId)) return null;
        var changed = feederId is null
            ? State.On != on
            : on ? State.FeedersOff.Contains(feederId) : !State.FeedersOff.Contains(feederId);
        if (!changed) return View();

        var (wasOn, wasOff) = (State.On, State.FeedersOff.ToHashSet());
        if (feederId is null) State.On = on;
        else if (on) State.FeedersOff.Remove(feederId);
        else State.FeedersOff.Add(feederId);
        State.Version++;
        State.ChangedAt = _time.GetUtcNow();
        State.Pending = true;
        try
        {
            await _writes.WriteThroughAsync();
        }
        catch
        {
            (State.On, State.FeedersOff) = (wasOn, wasOff);
            State.Version--;
            State.Pending = false;
            throw;
        }

        await FanOutAsync(feederId);
        return View();
    }

    private async Task FanOutAsync(string? feederId)
    {
        await _guard.BeginAsync();
        var version = State.Version;
        var affected = State.Assets.Where(a => feederId is null || a.Value == feederId).Select(a => (a.Key, a.Value)).ToArray();
        await Task.WhenAll(affected.Select(a => GrainFactory.GetGrain<IAssetGrain>(a.Key).OnPowerAsync(Signal(a.Value))));
        if (State.Version != version) return; // another change came meanwhile: its own fan-out ends the guard
        State.Pending = false;
        await _writes.MarkDirtyAsync();
        await _guard.EndAsync();
    }

    /// <summary>The guard's reminder: activation has sent a pending change again (see OnActivateAsync); stop reminding once none is.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (State.Pending) await FanOutAsync(null);
        else await _guard.EndAsync();
    }

    public Task<PowerView> GetAsync() => Task.FromResult(View());

    public async Task<PowerSignal> RegisterAsync(string assetId, string? feederId)
    {
        var feeder = feederId is null ? "" : SharedNames.Of(feederId); // thousands of assets share a feeder
        if (!State.Assets.TryGetValue(assetId, out var known) || known != feeder)
        {
            State.Assets[assetId] = feeder;
            await _writes.MarkDirtyAsync();
        }
        return Signal(feeder);
    }

    public async Task UnregisterAsync(string assetId, string? feederId)
    {
        if (State.Assets.TryGetValue(assetId, out var known) && known == (feederId ?? "") && State.Assets.Remove(assetId))
            await _writes.MarkDirtyAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _writes.FlushAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private PowerSignal Signal(string feeder)
    {
        var feederOff = feeder.Length > 0 && State.FeedersOff.Contains(feeder);
        var cause = !State.On ? $"district {District}: power outage" : feederOff ? $"{feeder}: feeder outage" : null;
        return new PowerSignal(cause is null, cause, State.Version, State.ChangedAt);
    }

    private PowerView View() => new(
        District, State.On,
        [.. State.Assets.Values.Where(f => f.Length > 0).Distinct().Order(StringComparer.Ordinal)],
        [.. State.FeedersOff.Order(StringComparer.Ordinal)],
        State.Assets.Count, State.Version);
}
