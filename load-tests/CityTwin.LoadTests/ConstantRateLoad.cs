using System.Buffers;
using System.Diagnostics;

namespace CityTwin.LoadTests;

/// <summary>Latency percentiles of one run, in milliseconds.</summary>
public sealed record LatencyStats(int Requests, int Errors, double AchievedPerSecond, double P50, double P90, double P99, double P999, double Max)
{
    /// <summary>The load generator's own GC pauses during the run: time it charged to the requests in flight.</summary>
    public double GeneratorPausedMs { get; init; }

    public static LatencyStats From(List<double> ms, int errors, double seconds)
    {
        ms.Sort();
        double P(double q) => ms.Count == 0 ? double.NaN : ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        return new(ms.Count + errors, errors, (ms.Count + errors) / seconds, P(0.50), P(0.90), P(0.99), P(0.999), ms.Count == 0 ? double.NaN : ms[^1]);
    }
}

/// <summary>
/// An open-loop load generator: request i is due at start + i/rate whether or not earlier ones have answered,
/// so a stall of the system under test shows up in the percentiles instead of hiding behind a slower send rate
/// (no coordinated omission). The dispatcher wakes every millisecond and releases what has fallen due; latency
/// counts from that release until the whole body is read, so the dispatcher's own 1 ms tick is not charged to the
/// server. The generator shares the machine with what it measures, so it allocates little per request: latencies go
/// into one array, answers are drained into pooled buffers (a 200 KB page buffered whole was a large-object
/// allocation per request), and nothing holds a finished request — its own collections, which it would charge to the
/// server, were 164 ms of pauses in 10 s of bbox queries before.
/// </summary>
public static class ConstantRateLoad
{
    public static Task<LatencyStats> RunAsync(HttpClient http, Func<int, string> url, int perSecond, TimeSpan duration, int maxInFlight = 512) =>
        Task.Factory.StartNew(() => Dispatch(http, url, perSecond, duration, maxInFlight), TaskCreationOptions.LongRunning).Unwrap();

    private static async Task<LatencyStats> Dispatch(HttpClient http, Func<int, string> url, int perSecond, TimeSpan duration, int maxInFlight)
    {
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        Array.Fill(latencies, double.NaN); // NaN: failed
        var inFlight = new SemaphoreSlim(maxInFlight);
        var outstanding = 1; // the dispatcher's own hold, released once every request is sent
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var paused = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < total)
        {
            var due = (int)Math.Min(total, clock.Elapsed.TotalSeconds * perSecond + 1);
            var releasedAt = clock.Elapsed;
            for (; sent < due; sent++)
            {
                var target = url(sent);
                inFlight.Wait();
                Interlocked.Increment(ref outstanding);
                _ = SendAsync(sent, target, releasedAt);
            }
            Thread.Sleep(1); // a dedicated thread: no thread-pool timer coalescing
        }
        if (Interlocked.Decrement(ref outstanding) == 0) done.TrySetResult();
        await done.Task;
        var seconds = clock.Elapsed.TotalSeconds;
        var answered = latencies.Where(l => !double.IsNaN(l)).ToList();
        return LatencyStats.From(answered, total - answered.Count, seconds) with { GeneratorPausedMs = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds };

        async Task SendAsync(int index, string target, TimeSpan dueAt)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                using var response = await http.GetAsync(target, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.Content.ReadAsStreamAsync();
                while (await body.ReadAsync(buffer) > 0) { }
                if (response.IsSuccessStatusCode) latencies[index] = (clock.Elapsed - dueAt).TotalMilliseconds;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException) // counted as errors
            {
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                inFlight.Release();
                if (Interlocked.Decrement(ref outstanding) == 0) done.TrySetResult();
            }
        }
    }
}
