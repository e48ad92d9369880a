using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CityTwin.Api.Http;

/// <summary>
/// Kestrel's limits on header floods and slow clients (section <c>Api:Limits</c>), explicit so operators see and tune
/// them. Kestrel refuses these itself, before any middleware: 431 or 414 without a body, 408 for a client too slow
/// with its headers; a body arriving too slowly reaches the endpoint as a 408 problem.
/// </summary>
public sealed record HttpLimits
{
    public int MaxRequestHeaderCount { get; init; } = 64;
    public int MaxRequestHeadersTotalSize { get; init; } = 32 * 1024;
    /// <summary>Method, path and query string: room for a long asset query, not for a megabyte of it.</summary>
    public int MaxRequestLineSize { get; init; } = 16 * 1024;
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public double MinRequestBodyBytesPerSecond { get; init; } = 1024;
    /// <summary>Kestrel requires more than its 1 s heartbeat.</summary>
    public TimeSpan MinRequestBodyGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    public void ApplyTo(KestrelServerLimits limits)
    {
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestLineSize = MaxRequestLineSize;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = new MinDataRate(MinRequestBodyBytesPerSecond, MinRequestBodyGracePeriod);
    }
}
