namespace CityTwin.Contracts.Feed;

/// <summary>
/// What one stream delivery brought a district's feed, in delivery order. <paramref name="Sequence"/> rises by one
/// per batch within an <paramref name="Epoch"/> (one feed grain activation) and counts batches no observer heard,
/// so a subscriber that sees anything but last + 1, or another epoch, knows it missed something.
/// </summary>
[GenerateSerializer, Immutable, Alias("FeedBatch")]
public sealed record FeedBatch(
    [property: Id(0)] string District,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Sequence,
    [property: Id(3)] FeedEvent[] Events);
