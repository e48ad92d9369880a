using System.Collections.Concurrent;
using System.Diagnostics;

namespace CityTwin.LoadTests;

/// <summary>Latency percentiles of one run, in milliseconds.</summary>
public sealed record LatencyStats(int Requests, int Errors, double AchievedPerSecond, double P50, double P90, double P99, double P999, double Max)
{
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
/// counts from that release, so the dispatcher's own 1 ms tick is not charged to the server.
/// </summary>
public static class ConstantRateLoad
{
    public static Task<LatencyStats> RunAsync(HttpClient http, Func<int, string> url, int perSecond, TimeSpan duration, int maxInFlight = 512) =>
        Task.Factory.StartNew(() => Dispatch(http, url, perSecond, duration, maxInFlight), TaskCreationOptions.LongRunning).Unwrap();

    private static async Task<LatencyStats> Dispatch(HttpClient http, Func<int, string> url, int perSecond, TimeSpan duration, int maxInFlight)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var total = (int)(perSecond * duration.TotalSeconds);
        var inFlight = new SemaphoreSlim(maxInFlight);
        var pending = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < total)
        {
            var due = (int)Math.Min(total, clock.Elapsed.TotalSeconds * perSecond + 1);
            var releasedAt = clock.Elapsed;
            for (; sent < due; sent++)
            {
                var dueAt = releasedAt;
                var target = url(sent);
                inFlight.Wait();
                pending.Add(SendAsync(target, dueAt));
            }
            Thread.Sleep(1); // a dedicated thread: no thread-pool timer coalescing
        }
        await Task.WhenAll(pending);
        var seconds = clock.Elapsed.TotalSeconds;
        return LatencyStats.From([.. latencies], errors, seconds);

        async Task SendAsync(string target, TimeSpan dueAt)
        {
            try
            {
                using var response = await http.GetAsync(target, HttpCompletionOption.ResponseContentRead);
                if (response.IsSuccessStatusCode) latencies.Add((clock.Elapsed - dueAt).TotalMilliseconds);
                else Interlocked.Increment(ref errors);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }
            finally
            {
                inFlight.Release();
            }
        }
    }
}
