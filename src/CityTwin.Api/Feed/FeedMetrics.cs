using System.Diagnostics.Metrics;

namespace CityTwin.Api.Feed;

/// <summary>The live feed's instruments on the twin's meter (exported by the API as <c>citytwin_feed_*</c>).</summary>
public sealed class FeedMetrics : IDisposable
{
    private static readonly double[] LagBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _subscribers;
    private readonly Counter<long> _events;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _gaps;
    private readonly Histogram<double> _lag;
    private int _districts;

    public FeedMetrics(IMeterFactory meters)
    {
        _meter = meters.Create("CityTwin");
        _subscribers = _meter.CreateUpDownCounter<long>("citytwin.feed.subscribers", "{subscriber}", "Clients connected to the live feed");
        _events = _meter.CreateCounter<long>("citytwin.feed.events", "{event}", "Events the live feed published, by kind (change, alarm, gap)");
        _dropped = _meter.CreateCounter<long>("citytwin.feed.dropped.events", "{event}", "Events dropped from slow subscribers' queues (each such subscriber got a gap notice)");
        _gaps = _meter.CreateCounter<long>("citytwin.feed.gaps", "{gap}", "Gap notices sent, by reason (overflow, district-restarted, district-missed, unknown-last-event-id)");
        _lag = _meter.CreateHistogram("citytwin.feed.delivery.lag", "s", "From an event's publication in the twin to its fan-out to the feed's subscribers",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        _meter.CreateObservableGauge("citytwin.feed.districts", () => Volatile.Read(ref _districts), "{district}", "Districts whose feed this API is subscribed to");
    }

    public void Subscribers(int delta) => _subscribers.Add(delta);

    public void Published(FeedItemKind kind) => _events.Add(1, new KeyValuePair<string, object?>("kind", Kind(kind)));

    public void Dropped(long events) => _dropped.Add(events);

    public void Gap(string reason) => _gaps.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Lag(FeedItemKind kind, TimeSpan lag) => _lag.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("kind", Kind(kind)));

    public void Districts(int count) => Volatile.Write(ref _districts, count);

    private static string Kind(FeedItemKind kind) => kind switch
    {
        FeedItemKind.Change => "change",
        FeedItemKind.Alarm => "alarm",
        _ => "gap",
    };

    public void Dispose() => _meter.Dispose();
}
