using Orleans.Concurrency;

namespace CityTwin.Contracts.Feed;

/// <summary>Receives a district's feed batches. One-way: the feed grain never waits for (or on) a subscriber.</summary>
[Alias("IFeedObserver")]
public interface IFeedObserver : IGrainObserver
{
    [OneWay, Alias("OnFeed")]
    Task OnFeedAsync(FeedBatch batch);
}
