using CityTwin.Contracts.Feed;

namespace CityTwin.Api.Feed;

/// <summary>
/// How far this API has followed one district's feed: the feed grain activation (epoch), the last batch applied, and
/// batches that arrived ahead of a missing one. One-way messages can overtake each other, so a batch after a hole is
/// held for a moment in case the missing one is merely late. Guarded by the feed's lock.
/// </summary>
public sealed class DistrictCursor(Guid epoch, long applied)
{
    public Guid Epoch { get; set; } = epoch;

    public long Applied { get; set; } = applied;

    public SortedList<long, FeedBatch> Held { get; } = [];

    /// <summary>When the oldest held batch arrived (a timestamp of the feed's clock).</summary>
    public long HeldSince { get; set; }
}
