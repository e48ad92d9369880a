namespace CityTwin.Contracts.Feed;

/// <summary>
/// Where a district's feed stands: <paramref name="Epoch"/> identifies the feed grain's activation (a new one
/// starts again at <paramref name="Sequence"/> 0), <paramref name="Sequence"/> is the last batch it sent.
/// </summary>
[GenerateSerializer, Immutable, Alias("FeedPosition")]
public readonly record struct FeedPosition([property: Id(0)] Guid Epoch, [property: Id(1)] long Sequence);
