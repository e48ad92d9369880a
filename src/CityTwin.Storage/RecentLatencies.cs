namespace CityTwin.Storage;

/// <summary>
/// How long one kind of call is waited for before the caller does something else, learnt from the latest answers: a
/// percentile of the last <c>window</c> latencies recorded, within [<c>min</c>, <c>max</c>]; <c>max</c> until the
/// window is full. Recomputed every quarter window; a race between two recorders costs one sample, not a lock.
/// Used for the API's hedge delay (<see cref="GatewayLoss"/>) and an asset read's wait for its district.
/// </summary>
public sealed class RecentLatencies(int window, int percentile, TimeSpan min, TimeSpan max)
{
    private readonly long[] _ticks = new long[window];
    private long _recorded;
    private long _waitTicks = max.Ticks;

    /// <summary>The percentile of the latest window, within the bounds.</summary>
    public TimeSpan Wait => TimeSpan.FromTicks(Volatile.Read(ref _waitTicks));

    public void Record(TimeSpan latency)
    {
        var n = Interlocked.Increment(ref _recorded);
        _ticks[(n - 1) % window] = latency.Ticks;
        if (n < window || n % (window / 4) != 0) return;
        var sorted = (long[])_ticks.Clone();
        Array.Sort(sorted);
        Volatile.Write(ref _waitTicks, Math.Clamp(sorted[window * percentile / 100], min.Ticks, max.Ticks));
    }
}
