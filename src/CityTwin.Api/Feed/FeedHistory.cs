namespace CityTwin.Api.Feed;

/// <summary>The most recent feed events, numbered from 1, for clients that resume with Last-Event-ID. Not thread-safe: the feed's lock guards it.</summary>
public sealed class FeedHistory(int capacity)
{
    private readonly FeedItem[] _items = new FeedItem[capacity];

    /// <summary>The number of the latest event (0: none yet).</summary>
    public long Last { get; private set; }

    /// <summary>The number of the oldest event still held.</summary>
    public long First => Math.Max(1, Last - _items.Length + 1);

    public void Add(FeedItem item)
    {
        if (item.Number != Last + 1) throw new InvalidOperationException($"feed number {item.Number} after {Last}");
        _items[item.Number % _items.Length] = item;
        Last = item.Number;
    }

    /// <summary>The events after <paramref name="number"/>, or null when some of them are no longer held (or it was never issued).</summary>
    public List<FeedItem>? After(long number)
    {
        if (number > Last || number < First - 1) return null;
        var items = new List<FeedItem>((int)(Last - number));
        for (var n = number + 1; n <= Last; n++) items.Add(_items[n % _items.Length]);
        return items;
    }
}
