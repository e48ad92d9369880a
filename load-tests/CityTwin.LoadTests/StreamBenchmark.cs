using System.Diagnostics;
using CityTwin.Contracts.Events;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using CityTwin.Grains.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace CityTwin.LoadTests;

/// <summary>
/// Stream throughput on one silo with the twin's stream configuration: producer grains send district-change events
/// to consumer grains over the memory streams (implicit subscriptions), then the same events as direct grain calls.
/// The backlog of published-but-undelivered events is capped, so the figure is what delivery sustains.
/// </summary>
public static class StreamBenchmark
{
    public const string Namespace = "bench";
    public const int Producers = 32, ConsumersPerProducer = 8, MaxBacklog = 50_000;

    public static long Published, Delivered;

    public static readonly AssetChange Sample = new(
        new AssetSummary("pole-000001", AssetType.Pole, AssetStatus.Operational, new GeoPoint(4.35, 50.85)),
        1, false, 60, 0, [], null, DateTimeOffset.UtcNow);

    public static async Task<List<string>> RunAsync(TimeSpan duration)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: ChildProcess.FreePort(), gatewayPort: ChildProcess.FreePort());
            silo.AddCityTwinStreams();
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = duration + TimeSpan.FromMinutes(1));
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();

        var direct = await MeasureAsync(grains, direct: true, duration);
        Console.WriteLine($"direct {direct:N0}");
        var streams = await MeasureAsync(grains, direct: false, duration);
        await host.StopAsync();
        Console.WriteLine($"streams {streams:N0}/s, direct calls {direct:N0}/s");
        return
        [
            $"| Stream throughput, one silo: district-change events delivered by the twin's memory streams, {duration.TotalSeconds:0} s sustained, {Producers} producers → {Producers * ConsumersPerProducer} consumers | **{streams:N0} events/s**; the same events as direct grain calls {direct:N0}/s (streams deliver {streams / direct:0.00}× of direct) | ≥ 50,000/s |",
        ];
    }

    /// <summary>Events delivered per second over <paramref name="duration"/>, after the producers have spun up.</summary>
    private static async Task<double> MeasureAsync(IGrainFactory grains, bool direct, TimeSpan duration)
    {
        Interlocked.Exchange(ref Published, 0);
        Interlocked.Exchange(ref Delivered, 0);
        var offset = direct ? 1_000 : 0; // fresh grains for each mode
        var running = Enumerable.Range(offset, Producers).Select(p => grains.GetGrain<IStreamBenchProducer>(p).RunAsync(direct, ConsumersPerProducer, duration + TimeSpan.FromSeconds(2))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        var start = Interlocked.Read(ref Delivered);
        await Task.Delay(duration);
        var delivered = Interlocked.Read(ref Delivered) - start;
        var elapsed = clock.Elapsed;
        await Task.WhenAll(running);
        // Let the backlog drain before the next mode.
        for (var i = 0; i < 200 && Interlocked.Read(ref Delivered) < Interlocked.Read(ref Published); i++) await Task.Delay(50);
        return delivered / elapsed.TotalSeconds;
    }
}

[Alias("IStreamBenchProducer")]
public interface IStreamBenchProducer : IGrainWithIntegerKey
{
    [Alias("Run")]
    Task<long> RunAsync(bool direct, int consumers, TimeSpan duration);
}

[Alias("IStreamBenchConsumer")]
public interface IStreamBenchConsumer : IGrainWithStringKey
{
    [Alias("Deliver")]
    Task DeliverAsync(AssetChange change);
}
