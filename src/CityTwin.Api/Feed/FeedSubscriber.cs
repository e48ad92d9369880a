using System.Threading.Channels;

namespace CityTwin.Api.Feed;

/// <summary>
/// One connected client: its filter and a bounded queue between the fan-out and its HTTP response. The fan-out only
/// ever tries to write; a full queue means the client is too slow, so what it has queued is dropped and replaced by
/// one gap notice (the events after it keep coming). The twin, and every other subscriber, never wait for it.
/// </summary>
public sealed class FeedSubscriber
{
    private readonly Channel<FeedItem> _queue;
    private readonly Func<long, long, long, FeedItem> _gap;

    /// <param name="gap">Renders a gap notice: (events missed, feed number before the first, feed number of the last).</param>
    public FeedSubscriber(FeedFilter filter, int capacity, Func<long, long, long, FeedItem> gap)
    {
        Filter = filter;
        _gap = gap;
        // Several readers: the client's response loop, and the fan-out when it empties a full queue.
        _queue = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(capacity) { SingleWriter = true, SingleReader = false, FullMode = BoundedChannelFullMode.Wait });
    }

    public FeedFilter Filter { get; }

    public ChannelReader<FeedItem> Reader => _queue.Reader;

    /// <summary>Queues the item; returns how many events had to be dropped to make room (0 normally). Never waits.</summary>
    public long Offer(FeedItem item)
    {
        if (_queue.Writer.TryWrite(item)) return 0;
        long missed = 0, resumeAfter = -1, last = 0;
        while (_queue.Reader.TryRead(out var dropped))
        {
            if (resumeAfter < 0) resumeAfter = dropped.Kind == FeedItemKind.OverflowGap ? dropped.ResumeAfter : dropped.Number - 1;
            missed += dropped.Kind == FeedItemKind.OverflowGap ? dropped.Missed : 1;
            last = dropped.Number; // a gap notice is numbered as the last event it stands for
        }
        if (missed > 0) _queue.Writer.TryWrite(_gap(missed, resumeAfter, last)); // else the client emptied it meanwhile
        _queue.Writer.TryWrite(item);
        return missed;
    }

    public void Complete() => _queue.Writer.TryComplete();
}
