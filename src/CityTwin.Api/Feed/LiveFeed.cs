using System.Collections.Concurrent;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Feed;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Feed;

/// <summary>
/// The API's live feed. One grain observer subscribed to every district's <see cref="IFeedGrain"/> (the district
/// list is read again every <see cref="FeedOptions.DistrictRefresh"/>, subscriptions renewed every
/// <see cref="FeedOptions.Renew"/>); each batch that arrives is numbered into this process's feed, kept in a bounded
/// history for resuming clients, and offered to every matching subscriber's bounded queue — never awaited. A batch
/// out of sequence, or from a new feed grain activation, means this process missed that district's events: a
/// <c>gap</c> event says so. Delivery is therefore at most once per API process, and every loss is announced.
/// </summary>
public sealed partial class LiveFeed : BackgroundService, IFeedObserver
{
    private readonly IGrainFactory _grains;
    private readonly FeedOptions _options;
    private readonly FeedMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveFeed> _logger;

    // Guards the history, the subscriber list and the district cursors: numbering, fan-out and joining the feed
    // happen under it, so a joining client's replay ends exactly where its live queue begins.
    private readonly Lock _gate = new();
    private readonly FeedHistory _history;
    private readonly List<FeedSubscriber> _subscribers = [];
    private readonly Dictionary<string, DistrictCursor> _cursors = new(StringComparer.Ordinal);
    private readonly ITimer _reorder;

    private readonly ConcurrentDictionary<string, byte> _subscribed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshNow = new(0, 1);
    private IFeedObserver? _reference;
    private volatile bool _followedAll;

    public LiveFeed(IGrainFactory grains, IOptions<FeedOptions> options, FeedMetrics metrics, TimeProvider time, ILogger<LiveFeed> logger)
    {
        _grains = grains;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _history = new FeedHistory(_options.History);
        _reorder = time.CreateTimer(_ => ReleaseOverdue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>This process's feed epoch: the prefix of every event id it issues.</summary>
    public string Epoch { get; } = FeedId.NewEpoch();

    public bool IsSubscribed(string district) => _subscribed.ContainsKey(district);

    /// <summary>Readiness: a change made now reaches this feed once it has followed every district it read at least once.</summary>
    public sealed class ReadyCheck(LiveFeed feed) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(feed._followedAll
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("the live feed does not follow every district yet"));
    }

    /// <summary>Clients connected now.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate) return _subscribers.Count;
        }
    }

    /// <summary>Reads the district list again now (a client asked for a district this feed does not follow yet).</summary>
    public void RefreshSoon()
    {
        if (_refreshNow.CurrentCount == 0)
        {
            try { _refreshNow.Release(); }
            catch (SemaphoreFullException) { } // someone else asked at the same moment
        }
    }

    /// <summary>Joins the feed, replaying what followed <paramref name="lastEventId"/>; null when the API serves its maximum of subscribers.</summary>
    public FeedSubscription? Subscribe(FeedFilter filter, string? lastEventId)
    {
        lock (_gate)
        {
            if (_subscribers.Count >= _options.MaxSubscribers) return null;
            byte[]? gap = null;
            IReadOnlyList<FeedItem> replay = [];
            if (lastEventId is not null)
            {
                var number = FeedId.Parse(lastEventId, Epoch);
                if (number is { } n && _history.After(n) is { } held) replay = held.FindAll(filter.Matches);
                else
                {
                    var reason = number is null || number > _history.Last ? "unknown-last-event-id" : "expired-last-event-id";
                    var detail = reason == "unknown-last-event-id"
                        ? "The Last-Event-ID was not issued by this API process (it restarted, or the id is from another one): events may have been missed."
                        : $"The Last-Event-ID is older than the {_options.History:N0} events this API keeps: events were missed.";
                    gap = FeedFrames.Gap(FeedId.Format(Epoch, _history.Last), reason, detail + " Resync from the query API, then follow this feed.");
                    _metrics.Gap(reason);
                }
            }
            var subscriber = new FeedSubscriber(filter, _options.SubscriberBuffer, OverflowNotice);
            _subscribers.Add(subscriber);
            _metrics.Subscribers(+1);
            return new FeedSubscription(this, subscriber, gap, replay);
        }
    }

    internal void Unsubscribe(FeedSubscriber subscriber)
    {
        lock (_gate)
        {
            if (_subscribers.Remove(subscriber)) _metrics.Subscribers(-1);
        }
        subscriber.Complete();
    }

    /// <summary>A district's batch, from its feed grain (one-way; Orleans hands this observer one message at a time).</summary>
    public Task OnFeedAsync(FeedBatch batch)
    {
        Apply(batch);
        return Task.CompletedTask;
    }

    internal void Apply(FeedBatch batch)
    {
        lock (_gate)
        {
            if (!_cursors.TryGetValue(batch.District, out var cursor))
            {
                _cursors[batch.District] = cursor = new DistrictCursor(batch.Epoch, batch.Sequence - 1); // the first word: nothing to miss yet
            }
            else if (cursor.Epoch != batch.Epoch)
            {
                Restarted(batch.District, cursor, batch.Epoch, batch.Sequence - 1);
            }
            if (batch.Sequence <= cursor.Applied || cursor.Held.ContainsKey(batch.Sequence)) return; // a duplicate
            if (batch.Sequence > cursor.Applied + 1)
            {
                // A batch overtook an earlier one: hold it a moment for the late one (a gap if it never comes).
                if (cursor.Held.Count == 0) cursor.HeldSince = _time.GetTimestamp();
                cursor.Held.Add(batch.Sequence, batch);
                _reorder.Change(_options.ReorderWindow, Timeout.InfiniteTimeSpan);
                return;
            }
            Emit(cursor, batch);
            while (cursor.Held.Count > 0 && cursor.Held.Keys[0] == cursor.Applied + 1)
            {
                var next = cursor.Held.Values[0];
                cursor.Held.RemoveAt(0);
                Emit(cursor, next);
            }
            if (cursor.Held.Count > 0) cursor.HeldSince = _time.GetTimestamp();
        }
    }

    /// <summary>Publishes a batch's events in order (under the lock) and advances the district's cursor.</summary>
    private void Emit(DistrictCursor cursor, FeedBatch batch)
    {
        var now = _time.GetUtcNow();
        cursor.Applied = batch.Sequence;
        var (epoch, district) = (Epoch, batch.District); // what a frame renders with, later
        foreach (var e in batch.Events)
        {
            var number = _history.Last + 1;
            if (e.Change is { } change)
            {
                Publish(new FeedItem(number, FeedItemKind.Change, district, change.Summary.Type, change.Summary.Status,
                    () => FeedFrames.Change(FeedId.Format(epoch, number), district, change)));
                _metrics.Lag(FeedItemKind.Change, now - change.SentAt);
            }
            else if (e.Alarm is { } alarm)
            {
                Publish(new FeedItem(number, FeedItemKind.Alarm, district, alarm.Alarm.AssetType, null, () => FeedFrames.Alarm(FeedId.Format(epoch, number), alarm)));
                _metrics.Lag(FeedItemKind.Alarm, now - alarm.SentAt);
            }
        }
    }

    /// <summary>Held batches whose predecessor never came: the hole is announced, and what did arrive follows in order.</summary>
    private void ReleaseOverdue()
    {
        lock (_gate)
        {
            TimeSpan? next = null;
            foreach (var (district, cursor) in _cursors)
            {
                if (cursor.Held.Count == 0) continue;
                var waited = _time.GetElapsedTime(cursor.HeldSince);
                if (waited < _options.ReorderWindow)
                {
                    var left = _options.ReorderWindow - waited;
                    next = next is { } n && n < left ? n : left;
                    continue;
                }
                ReleaseHeld(district, cursor);
            }
            if (next is { } due) _reorder.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void ReleaseHeld(string district, DistrictCursor cursor)
    {
        while (cursor.Held.Count > 0)
        {
            var batch = cursor.Held.Values[0];
            cursor.Held.RemoveAt(0);
            if (batch.Sequence > cursor.Applied + 1) DistrictGap(district, "district-missed", batch.Sequence - cursor.Applied - 1);
            Emit(cursor, batch);
        }
    }

    /// <summary>The district's feed grain is a new activation: what arrived of the old one goes out, then a gap.</summary>
    private void Restarted(string district, DistrictCursor cursor, Guid epoch, long sequence)
    {
        ReleaseHeld(district, cursor);
        DistrictGap(district, "district-restarted", null);
        cursor.Epoch = epoch;
        cursor.Applied = sequence;
    }

    /// <summary>What a (re)subscription reply says: a new epoch means the district's feed grain restarted since the last word.</summary>
    private void Observe(string district, FeedPosition position)
    {
        lock (_gate)
        {
            if (!_cursors.TryGetValue(district, out var cursor)) _cursors[district] = new DistrictCursor(position.Epoch, position.Sequence);
            else if (cursor.Epoch != position.Epoch) Restarted(district, cursor, position.Epoch, position.Sequence);
            // Same epoch: batches in flight may be ahead of or behind the reply; they tell.
        }
    }

    private void DistrictGap(string district, string reason, long? batches)
    {
        var number = _history.Last + 1;
        var detail = batches is { } n
            ? $"{n:N0} batch(es) of district {district}'s events did not reach this API."
            : $"District {district}'s feed restarted (a silo stopped or the grain moved): its events in between may be missed.";
        var frame = FeedFrames.Gap(FeedId.Format(Epoch, number), reason, detail + " Resync that district from the query API.", district);
        Publish(new FeedItem(number, FeedItemKind.DistrictGap, district, null, null, () => frame));
        _metrics.Gap(reason);
        LogDistrictGap(district, reason);
    }

    private void Publish(FeedItem item)
    {
        _history.Add(item);
        _metrics.Published(item.Kind);
        foreach (var subscriber in _subscribers)
        {
            if (!subscriber.Filter.Matches(item)) continue;
            var dropped = subscriber.Offer(item);
            if (dropped == 0) continue;
            _metrics.Dropped(dropped);
            _metrics.Gap("overflow");
        }
    }

    private FeedItem OverflowNotice(long missed, long resumeAfter, long last)
    {
        var frame = FeedFrames.Gap(
            FeedId.Format(Epoch, last), "overflow",
            $"This connection fell more than {_options.SubscriberBuffer:N0} events behind: {missed:N0} were dropped. Reconnect with Last-Event-ID {FeedId.Format(Epoch, resumeAfter)} to get them while this API still holds them, or resync from the query API.",
            missed: missed, resumeAfter: FeedId.Format(Epoch, resumeAfter));
        return new(last, FeedItemKind.OverflowGap, null, null, null, () => frame)
        {
            Missed = missed,
            ResumeAfter = resumeAfter,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _reference = _grains.CreateObjectReference<IFeedObserver>(this);
        var renewed = long.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var districts = await _grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync().WaitAsync(stoppingToken);
                    var renew = renewed == long.MinValue || _time.GetElapsedTime(renewed) >= _options.Renew;
                    var due = renew ? districts : Array.FindAll(districts, d => !_subscribed.ContainsKey(d));
                    if (renew) renewed = _time.GetTimestamp();
                    await Task.WhenAll(due.Select(SubscribeAsync));
                    if (!_followedAll) _followedAll = Array.TrueForAll(districts, _subscribed.ContainsKey);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRefreshFailed(e);
                }
                await _refreshNow.WaitAsync(_options.DistrictRefresh < _options.Renew ? _options.DistrictRefresh : _options.Renew, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // expiry cleans up if this fails
            try
            {
                await Task.WhenAll(_subscribed.Keys.Select(d => _grains.GetGrain<IFeedGrain>(d).UnsubscribeAsync(_reference))).WaitAsync(giveUp.Token);
            }
            catch (Exception e)
            {
                LogUnsubscribeFailed(e);
            }
            _grains.DeleteObjectReference<IFeedObserver>(_reference);
        }
    }

    public override void Dispose()
    {
        _reorder.Dispose();
        base.Dispose();
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers) subscriber.Complete(); // open streams end instead of holding up the shutdown
        }
        return base.StopAsync(cancellationToken);
    }

    private async Task SubscribeAsync(string district)
    {
        try
        {
            var position = await _grains.GetGrain<IFeedGrain>(district).SubscribeAsync(_reference!);
            Observe(district, position);
            if (_subscribed.TryAdd(district, 0))
            {
                _metrics.Districts(_subscribed.Count);
                LogSubscribed(district);
            }
        }
        catch (Exception e)
        {
            // Retried at the next refresh; until then the district's events are missed (a gap follows if so).
            if (_subscribed.TryRemove(district, out _)) _metrics.Districts(_subscribed.Count);
            LogSubscribeFailed(district, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live feed follows district {District}")]
    private partial void LogSubscribed(string district);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live feed could not subscribe to district {District}; retrying at the next refresh")]
    private partial void LogSubscribeFailed(string district, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live feed could not read the district list; retrying")]
    private partial void LogRefreshFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live feed could not unsubscribe at shutdown; the subscriptions expire on their own")]
    private partial void LogUnsubscribeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live feed missed events of district {District} ({Reason}); subscribers were sent a gap event")]
    private partial void LogDistrictGap(string district, string reason);
}
