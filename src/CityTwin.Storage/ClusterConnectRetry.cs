using Microsoft.Extensions.Logging;

namespace CityTwin.Storage;

/// <summary>
/// A client (the API) that starts before the cluster or its database is ready keeps trying, with backoff up to 5 s and
/// a line saying what it waits for, instead of exiting: silos seeding a city, a database still starting, or a
/// connection limit hit for a moment are all over in seconds.
/// </summary>
public sealed partial class ClusterConnectRetry(ILogger<ClusterConnectRetry> logger) : IClientConnectionRetryFilter
{
    private int _attempt;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return false;
        var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 250 * (1 << Math.Min(5, _attempt))));
        _attempt++;
        LogWaiting(logger, _attempt, delay.TotalSeconds, exception.GetBaseException().Message);
        await Task.Delay(delay, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for the cluster (attempt {Attempt}, next in {Seconds} s): {Reason}")]
    private static partial void LogWaiting(ILogger logger, int attempt, double seconds, string reason);
}
