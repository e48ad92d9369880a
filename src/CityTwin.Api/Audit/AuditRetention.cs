using CityTwin.Contracts.Audit;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Audit;

/// <summary>Deletes entries older than <see cref="AuditOptions.Retention"/>, once every <see cref="AuditOptions.SweepInterval"/>.</summary>
public sealed partial class AuditRetention(IGrainFactory grains, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                var deleted = await grains.GetGrain<IAuditGrain>(0).DeleteOlderThanAsync(time.GetUtcNow() - options.Value.Retention);
                if (deleted > 0) LogDeleted(logger, deleted, options.Value.Retention.TotalDays);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e.Message); // tried again at the next sweep
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} audit entries older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int count, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit retention sweep failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
