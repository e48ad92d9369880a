using CityTwin.Contracts.Alarms;
using CityTwin.Grains.Metrics;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Core;
using Orleans.Placement;

namespace CityTwin.Grains.Alarms;

/// <summary>
/// The city's alarm board. It subscribes explicitly to each district's <c>alarms</c> stream — one consumer, a
/// set of streams only known at run time — and the pub-sub store keeps those subscriptions across restarts, so the
/// board is woken by the next alarm even after the whole cluster went down.
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: its counts are asked of every district on activation
public sealed class AlarmBoardGrain : Grain, IAlarmBoardGrain, IStreamSubscriptionObserver, IAsyncObserver<AlarmChange>
{
    private readonly IPersistentState<AlarmBoardGrainState> _state;
    private readonly TimeProvider _time;
    private readonly TwinMetrics _metrics;
    private readonly Dictionary<string, int[]> _active = [];

    public AlarmBoardGrain(
        [PersistentState("alarm-board", StorageNames.Assets)] IPersistentState<AlarmBoardGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        TwinMetrics metrics)
    {
        _state = state;
        _time = time;
        _metrics = metrics;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Counts are not stored: the districts hold the alarms, ask them once.
        var districts = _state.State.Watched.ToArray();
        var counts = await Task.WhenAll(districts.Select(d => GrainFactory.GetGrain<IAlarmGrain>(d).GetActiveCountsAsync()));
        for (var i = 0; i < districts.Length; i++) _active[districts[i]] = counts[i];
    }

    public async Task WatchAsync(string districtId)
    {
        if (_state.State.Watched.Contains(districtId)) return;
        await Stream(districtId).SubscribeAsync(this);
        _state.State.Watched.Add(districtId);
        await _state.WriteStateAsync();
    }

    public Task<int[]> GetActiveCountsAsync()
    {
        var total = new int[Enum.GetValues<AlarmSeverity>().Length];
        foreach (var counts in _active.Values)
            for (var i = 0; i < total.Length && i < counts.Length; i++) total[i] += counts[i];
        return Task.FromResult(total);
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<AlarmChange>().ResumeAsync(this);

    public Task OnNextAsync(AlarmChange change, StreamSequenceToken? token = null)
    {
        _metrics.Delivered(TwinStreams.Alarms, _time.GetUtcNow() - change.SentAt);
        _active[change.Alarm.District] = change.DistrictActive;
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private IAsyncStream<AlarmChange> Stream(string district) =>
        this.GetStreamProvider(TwinStreams.Provider).GetStream<AlarmChange>(StreamId.Create(TwinStreams.Alarms, district));
}
