namespace CityTwin.Api.Feed;

/// <summary>
/// One event of the API's feed, rendered once as an SSE frame and shared by every subscriber it matches.
/// <see cref="Number"/> orders the feed within this process (0 for a subscriber's own gap notice).
/// </summary>
/// <param name="Render">Renders the frame: called on first use, by the first subscriber's writer — not under the feed's
/// lock, and not at all for the events no one is subscribed to (most of them, under heavy ingest: rendering every
/// change as it arrived was a measurable share of the API's CPU).</param>
public sealed record FeedItem(long Number, FeedItemKind Kind, string? District, AssetType? Type, AssetStatus? Status, Func<byte[]> Render)
{
    private byte[]? _frame;

    /// <summary>The SSE frame. Two writers that ask at once may both render it; they render the same bytes.</summary>
    public byte[] Frame => _frame ??= Render();

    /// <summary>Overflow gap notices only: events this notice stands for, and the feed number just before the first of them.</summary>
    public long Missed { get; init; }

    public long ResumeAfter { get; init; }
}
