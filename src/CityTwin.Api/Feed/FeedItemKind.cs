namespace CityTwin.Api.Feed;

public enum FeedItemKind
{
    Change,
    Alarm,
    /// <summary>Events of a district were missed between the twin and this API (the feed grain restarted, or a batch was lost).</summary>
    DistrictGap,
    /// <summary>A subscriber fell behind and part of its queue was dropped (never in the history: it is one subscriber's).</summary>
    OverflowGap,
}
