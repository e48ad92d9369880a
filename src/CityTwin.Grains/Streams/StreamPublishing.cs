using System.Collections.Concurrent;

namespace CityTwin.Grains.Streams;

internal static class StreamPublishing
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    // Streams obtained outside any activation, one per stream id for the whole silo (see PublishAsync).
    private static readonly ConcurrentDictionary<(IStreamProvider, string, string), object> Streams = new();

    /// <summary>
    /// Publishes an event on the stream (<paramref name="streamNamespace"/>, <paramref name="key"/>).
    /// <para>
    /// The stream handle is made once per silo, off any grain's context: a stream obtained inside an activation
    /// lives in that activation's own stream directory (a DI-scoped dictionary plus a producer per stream, about
    /// 2–3 KB) until it deactivates — for a million asset grains that publish now and then, gigabytes. Publishing
    /// through a shared handle is an ordinary call to the queue from the calling grain; the caller awaits it, so its
    /// events leave in order.
    /// </para>
    /// <para>
    /// A memory stream queue holds at most 16,384 events and refuses more, which under a burst (a city-wide import,
    /// a silo activating every asset) would fail the caller's whole operation: waiting turns the burst into
    /// back-pressure; after <see cref="MaxWait"/> it fails.
    /// </para>
    /// <para>
    /// A queue grain whose silo died is unreachable until the cluster declares that silo dead (about a second), then
    /// activates on a survivor: the event is sent again meanwhile, instead of failing an operator's command whose state
    /// is already stored. Whatever the dead queue held died with it (memory streams are at most once); this event had
    /// not reached it or died with it, so sending it again duplicates nothing a consumer kept.
    /// </para>
    /// </summary>
    public static Task PublishAsync<T>(this IStreamProvider provider, string streamNamespace, string key, T item) =>
        SendAsync<T>(provider, streamNamespace, key, stream => stream.OnNextAsync(item));

    /// <summary>Publishes several events as one queue message; they are delivered in order.</summary>
    public static Task PublishBatchAsync<T>(this IStreamProvider provider, string streamNamespace, string key, IReadOnlyList<T> items) =>
        SendAsync<T>(provider, streamNamespace, key, stream => stream.OnNextBatchAsync(items));

    private static async Task SendAsync<T>(IStreamProvider provider, string streamNamespace, string key, Func<IAsyncStream<T>, Task> send)
    {
        if (!Streams.TryGetValue((provider, streamNamespace, key), out var handle))
            handle = Streams.GetOrAdd((provider, streamNamespace, key), await Task.Run(() => provider.GetStream<T>(StreamId.Create(streamNamespace, key))));
        var stream = (IAsyncStream<T>)handle;
        await SendPatientlyAsync(() => send(stream));
    }

    /// <summary>Sends until the queue takes it: again while the queue is full or its silo is being declared dead, for at most <see cref="MaxWait"/>.</summary>
    internal static async Task SendPatientlyAsync(Func<Task> send)
    {
        var delay = TimeSpan.FromMilliseconds(5);
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await send();
                return;
            }
            catch (Exception e) when ((IsQueueFull(e) || SiloLoss.Is(e)) && waited < MaxWait)
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
