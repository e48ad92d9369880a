using System.Diagnostics;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Import;
using CityTwin.Domain.City;
using Microsoft.Extensions.Options;

namespace CityTwin.Silo.Seeding;

/// <summary>
/// Seeds the default synthetic city once per storage, after the silo has started. The city grain hands the
/// claim to exactly one silo, so a cluster seeds once and a restart on a full database seeds nothing.
/// </summary>
public sealed partial class CitySeeder(
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    IOptions<SeedOptions> options,
    ILogger<CitySeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seed = options.Value;
        if (seed.Assets <= 0) return;
        await WhenStarted(stoppingToken);
        await WhenClusterFormed(seed, stoppingToken);
        if (!await grains.GetGrain<ICityGrain>(ICityGrain.Key).ClaimSeedingAsync()) return;

        var clock = Stopwatch.StartNew();
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = seed.Assets, Seed = seed.RandomSeed });
        // The claim is taken once: a failed seed must be retried here, or the city stays half-seeded for good. A fresh
        // cluster can fail calls while its second silo joins (grains move); the import is idempotent, so send it again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var counts = await CityImporter.ApplyAsync(grains, city.Assets, cancellationToken: stoppingToken);
                LogSeeded(counts.Total, clock.Elapsed.TotalSeconds);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 10)
            {
                LogSeedRetry(e, attempt);
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), stoppingToken);
            }
        }
    }

    private async Task WhenClusterFormed(SeedOptions seed, CancellationToken ct)
    {
        if (seed.Silos <= 1) return;
        var management = grains.GetGrain<IManagementGrain>(0);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < seed.ClusterWait && (await management.GetHosts(onlyActive: true)).Count < seed.Silos)
            await Task.Delay(500, ct);
        // A short pause more: each silo takes its share of the stream queues once it sees the new membership.
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
    }

    private Task WhenStarted(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        ct.Register(() => started.TrySetCanceled(ct));
        return started.Task;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seeding the default city failed (attempt {Attempt}); trying again")]
    private partial void LogSeedRetry(Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the default city: {Assets} assets in {Seconds:0.0} s")]
    private partial void LogSeeded(int assets, double seconds);
}
