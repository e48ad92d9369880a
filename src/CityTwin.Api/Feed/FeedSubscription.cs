namespace CityTwin.Api.Feed;

/// <summary>
/// A client's place in the feed: what it gets first (a gap notice when its Last-Event-ID cannot be honoured, then
/// the held events after it) and its live queue. Taken atomically with respect to the fan-out, so replay and live
/// events neither overlap nor leave a hole. Disposing it leaves the feed.
/// </summary>
public sealed class FeedSubscription(LiveFeed feed, FeedSubscriber subscriber, byte[]? startGap, IReadOnlyList<FeedItem> replay) : IDisposable
{
    private int _disposed;

    public FeedSubscriber Subscriber { get; } = subscriber;

    public byte[]? StartGap { get; } = startGap;

    public IReadOnlyList<FeedItem> Replay { get; } = replay;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) feed.Unsubscribe(Subscriber);
    }
}
