using System.Diagnostics;
using CityTwin.Contracts.Events;
using CityTwin.Contracts.Streams;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace CityTwin.LoadTests;

public sealed class StreamBenchProducer : Grain, IStreamBenchProducer
{
    public async Task<long> RunAsync(bool direct, int consumers, TimeSpan duration)
    {
        var ids = Enumerable.Range(0, consumers).Select(k => $"c{this.GetPrimaryKeyLong()}-{k}").ToArray();
        var provider = this.GetStreamProvider(TwinStreams.Provider);
        var streams = ids.Select(id => provider.GetStream<AssetChange>(StreamId.Create(StreamBenchmark.Namespace, id))).ToArray();
        var targets = ids.Select(id => GrainFactory.GetGrain<IStreamBenchConsumer>(id)).ToArray();
        var sent = 0L;
        var clock = Stopwatch.StartNew();
        var batch = new Task[consumers];
        while (clock.Elapsed < duration)
        {
            if (!direct && Interlocked.Read(ref StreamBenchmark.Published) - Interlocked.Read(ref StreamBenchmark.Delivered) > StreamBenchmark.MaxBacklog)
            {
                await Task.Delay(1);
                continue;
            }
            // One event per consumer at a time: each stream keeps its order, the consumers run in parallel.
            for (var k = 0; k < consumers; k++)
                batch[k] = direct ? targets[k].DeliverAsync(StreamBenchmark.Sample) : streams[k].OnNextAsync(StreamBenchmark.Sample);
            await Task.WhenAll(batch);
            Interlocked.Add(ref StreamBenchmark.Published, consumers);
            sent += consumers;
        }
        return sent;
    }
}

[ImplicitStreamSubscription(StreamBenchmark.Namespace)]
public sealed class StreamBenchConsumer : Grain, IStreamBenchConsumer, IStreamSubscriptionObserver, IAsyncObserver<AssetChange>
{
    public Task DeliverAsync(AssetChange change)
    {
        Interlocked.Increment(ref StreamBenchmark.Delivered);
        return Task.CompletedTask;
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<AssetChange>().ResumeAsync(this);

    public Task OnNextAsync(AssetChange item, StreamSequenceToken? token = null)
    {
        Interlocked.Increment(ref StreamBenchmark.Delivered);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
