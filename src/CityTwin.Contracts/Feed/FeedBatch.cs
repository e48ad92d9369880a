namespace CityTwin.Contracts.Feed;

/// <summary>
/// What one stream delivery brought a district's feed, in delivery order. <paramref name="Sequence"/> rises by one
/// per batch within an <paramref name="Epoch"/> (one feed grain activation) and counts batches no observer heard,
/// so a subscriber that sees anything but last + 1, or another epoch, knows it missed something. It crosses the wire as
/// <see cref="FeedBatchWire"/> (what the feed shows of each change, in columns).
/// </summary>
[Immutable, Alias("FeedBatch")]
public sealed record FeedBatch(
    string District,
    Guid Epoch,
    long Sequence,
    FeedEvent[] Events);
