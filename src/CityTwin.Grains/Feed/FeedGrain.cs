using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Feed;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Core;
using Orleans.Utilities;
using Orleans.Placement;

namespace CityTwin.Grains.Feed;

/// <summary>
/// A district's live feed for the API processes. Implicitly subscribed to the district's <c>changes</c> and
/// <c>alarms</c> streams (both keyed by the district id), and called with the telemetry changes a silo coalesced for
/// the district (<see cref="IFeedGrain.OnChangesAsync"/>); each stream delivery (up to 128 events) or call becomes one
/// numbered <see cref="FeedBatch"/> sent one-way to every registered observer, so a burst is a few calls and a slow
/// or vanished API never holds up the twin. Observers expire unless renewed (<see cref="IFeedGrain.ObserverExpiry"/>).
/// Deliberately light — it exists for every district: no state beyond its observers, an epoch and a counter, and
/// nothing stored (a new activation is a new epoch; subscribers treat it as a gap).
/// </summary>
[ImplicitStreamSubscription(TwinStreams.Changes)]
[ImplicitStreamSubscription(TwinStreams.Alarms)]
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: its observers and numbering live in memory only: a move would be a gap for every subscriber
public sealed class FeedGrain : Grain, IFeedGrain, IStreamSubscriptionObserver
{
    private readonly ObserverManager<IFeedObserver> _observers;
    private readonly Guid _epoch = Guid.NewGuid();
    private long _sequence;

    public FeedGrain([FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time, ILogger<FeedGrain> logger)
    {
        _observers = new ObserverManager<IFeedObserver>(IFeedGrain.ObserverExpiry, logger)
        {
            GetDateTime = () => time.GetUtcNow().UtcDateTime, // the twin's clock, so tests can expire observers
        };
    }

    private string District => this.GetPrimaryKeyString();

    public Task<FeedPosition> SubscribeAsync(IFeedObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.FromResult(new FeedPosition(_epoch, _sequence));
    }

    public Task UnsubscribeAsync(IFeedObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.StreamId.GetNamespace() == TwinStreams.Alarms
            ? handleFactory.Create<AlarmChange>().ResumeAsync(new Forward<AlarmChange>(this, a => new FeedEvent(null, a)))
            : handleFactory.Create<AssetChange>().ResumeAsync(new Forward<AssetChange>(this, c => c.Barrier is null ? new FeedEvent(ForFeed(c), null) : null));

    public Task OnChangesAsync(AssetChange[] changes) =>
        SendAsync([.. changes.Where(c => c.Barrier is null).Select(c => new FeedEvent(ForFeed(c), null))]);

    /// <summary>
    /// The change as the feed shows it: its summary and attributes, without the whole asset its district keeps or its
    /// alarm conditions (alarms are events of their own) — every API process receives every change.
    /// </summary>
    private static AssetChange ForFeed(AssetChange change) =>
        change.Asset is null && change.Alarms.Length == 0 ? change : change with { Asset = null, Alarms = [] };

    private Task SendAsync(FeedEvent[] events)
    {
        // Counted even when nobody listens: an observer that lapsed and comes back sees the jump and reports a gap.
        var batch = new FeedBatch(District, _epoch, ++_sequence, events);
        if (_observers.Count == 0) return Task.CompletedTask;
        // One-way calls complete at once, so this never waits for a subscriber; expired observers are dropped here.
        return _observers.Notify(o => o.OnFeedAsync(batch));
    }

    /// <summary>One stream's deliveries, turned into feed events (null: not for the feed) and sent as one batch.</summary>
    private sealed class Forward<T>(FeedGrain feed, Func<T, FeedEvent?> toEvent) : IAsyncBatchObserver<T>
    {
        public Task OnNextAsync(IList<SequentialItem<T>> items)
        {
            var events = new List<FeedEvent>(items.Count);
            foreach (var item in items)
                if (toEvent(item.Item) is { } e) events.Add(e);
            return events.Count > 0 ? feed.SendAsync([.. events]) : Task.CompletedTask;
        }

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
