namespace CityTwin.Api.Feed;

/// <summary>
/// One event of the API's feed, rendered once as an SSE frame and shared by every subscriber it matches.
/// <see cref="Number"/> orders the feed within this process (0 for a subscriber's own gap notice).
/// </summary>
public sealed record FeedItem(long Number, FeedItemKind Kind, string? District, AssetType? Type, AssetStatus? Status, byte[] Frame)
{
    /// <summary>Overflow gap notices only: events this notice stands for, and the feed number just before the first of them.</summary>
    public long Missed { get; init; }

    public long ResumeAfter { get; init; }
}
