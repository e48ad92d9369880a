namespace CityTwin.Api.Feed;

/// <summary>The live feed's limits, bound from the "Feed" configuration section.</summary>
public sealed class FeedOptions
{
    public const string Section = "Feed";

    /// <summary>Recent events kept for clients that reconnect with Last-Event-ID (≈ 0.5 KB each).</summary>
    public int History { get; set; } = 50_000;

    /// <summary>Events queued per subscriber; when a subscriber falls this far behind, its queue is dropped and it gets a gap event.</summary>
    public int SubscriberBuffer { get; set; } = 1_000;

    /// <summary>Connections the API serves at once; beyond that 503.</summary>
    public int MaxSubscribers { get; set; } = 1_000;

    /// <summary>A comment line after this much silence, so proxies keep the connection and clients notice a dead one.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The SSE <c>retry:</c> a client waits before reconnecting.</summary>
    public TimeSpan Retry { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the district list is read again, so new districts join the feed.</summary>
    public TimeSpan DistrictRefresh { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often every district subscription is renewed (well inside the feed grains' observer expiry).</summary>
    public TimeSpan Renew { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a district's batch that arrived ahead of a missing one waits for it before the hole is reported as a gap.</summary>
    public TimeSpan ReorderWindow { get; set; } = TimeSpan.FromMilliseconds(100);

    internal string? Check()
    {
        if (History < 1) return "Feed:History must be at least 1";
        if (SubscriberBuffer < 2) return "Feed:SubscriberBuffer must be at least 2 (a gap notice and an event)";
        if (MaxSubscribers < 1) return "Feed:MaxSubscribers must be at least 1";
        if (Heartbeat <= TimeSpan.Zero || Retry <= TimeSpan.Zero || DistrictRefresh <= TimeSpan.Zero || ReorderWindow <= TimeSpan.Zero)
            return "Feed:Heartbeat, Retry, DistrictRefresh and ReorderWindow must be positive";
        if (Renew <= TimeSpan.Zero || Renew >= Contracts.Feed.IFeedGrain.ObserverExpiry)
            return $"Feed:Renew must be positive and shorter than the feed grains' observer expiry ({Contracts.Feed.IFeedGrain.ObserverExpiry})";
        return null;
    }
}
