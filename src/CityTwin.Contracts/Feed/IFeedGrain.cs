namespace CityTwin.Contracts.Feed;

/// <summary>
/// A district's live feed: forwards what its <c>changes</c> and <c>alarms</c> streams carry to registered observers
/// (the API processes), one batch per stream delivery. Key: the district id. Observers expire after
/// <see cref="ObserverExpiry"/> unless they subscribe again, so a vanished API process costs nothing for long.
/// </summary>
[Alias("IFeedGrain")]
public interface IFeedGrain : IGrainWithStringKey
{
    /// <summary>How long a subscription lasts without being renewed; subscribers renew well before (a third of it).</summary>
    static readonly TimeSpan ObserverExpiry = TimeSpan.FromMinutes(1);

    /// <summary>Registers (or renews) the observer; returns where the district's batches stand now.</summary>
    [Alias("Subscribe")]
    Task<FeedPosition> SubscribeAsync(IFeedObserver observer);

    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(IFeedObserver observer);

    /// <summary>The district's changes that telemetry caused, coalesced per window by its silo: one feed batch.</summary>
    [Alias("OnChanges")]
    Task OnChangesAsync(CityTwin.Contracts.Events.AssetChange[] changes);
}
