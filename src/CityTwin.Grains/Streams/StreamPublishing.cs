namespace CityTwin.Grains.Streams;

internal static class StreamPublishing
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Publishes an event on the stream (<paramref name="streamNamespace"/>, <paramref name="key"/>).
    /// <para>
    /// Off the grain's context on purpose: a stream obtained inside an activation lives in that activation's own
    /// stream directory (a DI-scoped dictionary plus a producer per stream, about 2–3 KB), kept until it deactivates —
    /// for a million asset grains that publish now and then, gigabytes. Outside any activation, Orleans keeps one
    /// directory for the silo. The caller awaits, so its events still leave in order.
    /// </para>
    /// <para>
    /// A memory stream queue holds at most 16,384 events and refuses more, which under a burst (a city-wide import,
    /// a silo activating every asset) would fail the caller's whole operation: waiting turns the burst into
    /// back-pressure; after <see cref="MaxWait"/> it fails.
    /// </para>
    /// </summary>
    public static async Task PublishAsync<T>(this IStreamProvider provider, string streamNamespace, string key, T item)
    {
        var delay = TimeSpan.FromMilliseconds(5);
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await Task.Run(() => provider.GetStream<T>(StreamId.Create(streamNamespace, key)).OnNextAsync(item));
                return;
            }
            catch (Exception e) when (IsQueueFull(e) && waited < MaxWait)
            {
                await Task.Delay(delay);
                waited += delay;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
            }
        }
    }

    private static bool IsQueueFull(Exception e) =>
        e is InvalidOperationException { Message: var m } && m.StartsWith("Can not enqueue", StringComparison.Ordinal)
        || e.InnerException is { } inner && IsQueueFull(inner);
}
