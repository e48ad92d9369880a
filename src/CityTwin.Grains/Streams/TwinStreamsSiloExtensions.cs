using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Streams;

public static class TwinStreamsSiloExtensions
{
    /// <summary>
    /// The twin's stream provider: memory streams (in-silo queues, lost with the silo — cascades recover by pulling
    /// their sources on activation, see docs/architecture.md), with explicit subscriptions kept in the
    /// <c>PubSubStore</c> grain storage. Queues are polled every 10 ms instead of Orleans' 100 ms default: a cascade
    /// crosses up to three streams, and the poll period is most of each hop's latency. Up to 128 queued events go to
    /// a consumer in one delivery (Orleans' default is one per call): a district takes a 1,000-asset cascade in a
    /// few calls instead of a thousand. Delivered events leave the queue cache after 10 s (Orleans keeps them at least
    /// 5 minutes, for rewinding consumers we do not have: a silo activating a million assets would hold every
    /// announcement in memory that long).
    /// </summary>
    public static ISiloBuilder AddCityTwinStreams(this ISiloBuilder silo, int queues = 8, TimeSpan? pollPeriod = null)
    {
        silo.AddMemoryStreams(TwinStreams.Provider, b =>
        {
            b.ConfigurePartitioning(queues);
            b.ConfigurePullingAgent(o => o.Configure(a =>
            {
                a.GetQueueMsgsTimerPeriod = pollPeriod ?? TimeSpan.FromMilliseconds(10);
                a.BatchContainerBatchSize = 128;
            }));
            b.ConfigureCacheEviction(o => o.Configure(e => (e.DataMinTimeInCache, e.DataMaxAgeInCache) = (TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1))));
        });
        return silo;
    }
}
