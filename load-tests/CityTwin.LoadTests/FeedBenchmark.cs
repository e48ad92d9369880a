using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;

namespace CityTwin.LoadTests;

/// <summary>
/// Live feed latency on the real processes (one silo on SQLite, the API): SSE subscribers connected to GET /api/feed,
/// a steady stream of telemetry POSTs to poles of one district, each reading with a unique dim level; the clock runs
/// from just before a POST is sent until each subscriber has read the change carrying that value. Baseline in the same
/// run: the same with a single subscriber.
/// </summary>
public static class FeedBenchmark
{
    private const int Filtered = 10; // subscribers that ask for the probed district's poles only; the rest take the whole city

    public static async Task<List<string>> RunAsync(int assets, int subscribers, int rate, TimeSpan duration)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-feed-").FullName;
        try
        {
            // The subscribers stand for many clients but share one address: the per-caller feed limit is raised to fit them.
            await using var twin = await Twin.StartAsync(data, $"--Api:RateLimits:Feed:MaxSubscriptions={subscribers + 10}");
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            await twin.ImportAsync(city.Assets);
            var district = city.Assets.First(a => a.Type == AssetType.Pole).District;
            var poles = city.Assets.Where(a => a.Type == AssetType.Pole && a.District == district).Select(a => a.Id).ToArray();
            Console.WriteLine($"imported {assets:N0} assets; probing {poles.Length:N0} poles of {district}");
            await FollowedAsync(twin.Http, district, poles[0]);

            var warmUp = TimeSpan.FromSeconds(5);
            var baseline = await MeasureAsync(twin.Http, district, poles, 1, rate, warmUp, TimeSpan.FromSeconds(Math.Max(10, duration.TotalSeconds / 2)), 0);
            var load = await MeasureAsync(twin.Http, district, poles, subscribers, rate, warmUp, duration, 1);
            Console.WriteLine($"baseline: {baseline}");
            Console.WriteLine($"load:     {load}");
            var goal = load.P99 <= 50 ? "✅" : "❌";
            return
            [
                $"| Live feed: telemetry POST sent → the matching SSE change read by each of **{subscribers} subscribers** ({Filtered} filtered to the district's poles, {subscribers - Filtered} city-wide); {rate} probes/s for {duration.TotalSeconds:0} s after {warmUp.TotalSeconds:0} s warm-up; {assets:N0} assets | p50 {load.P50:0.0} ms, p95 {load.P95:0.0} ms, **p99 {load.P99:0.0} ms** (max {load.Max:0}); {load.Received:N0} of {load.Expected:N0} deliveries, {load.Missing:N0} missing, {load.Gaps} gap events; {load.EventsPerSecond:N0} events/s delivered; POST acknowledged p50 {load.PostP50:0.0} ms, p99 {load.PostP99:0.0} ms | p99 ≤ 50 ms {goal} |",
                $"| Baseline in the same run: the same probes, **1 subscriber** (city-wide) | p50 {baseline.P50:0.0} ms, p95 {baseline.P95:0.0} ms, **p99 {baseline.P99:0.0} ms** (max {baseline.Max:0}); {baseline.Received:N0} of {baseline.Expected:N0}, {baseline.Missing} missing, {baseline.Gaps} gaps; POST p50 {baseline.PostP50:0.0} ms, p99 {baseline.PostP99:0.0} ms | — |",
            ];
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Result(double P50, double P95, double P99, double Max, long Received, long Expected, long Missing, long Gaps, double EventsPerSecond, double PostP50, double PostP99)
    {
        public override string ToString() =>
            $"p50 {P50:0.0} p95 {P95:0.0} p99 {P99:0.0} max {Max:0.0} ms; {Received}/{Expected} ({Missing} missing, {Gaps} gaps); {EventsPerSecond:0} events/s; POST p50 {PostP50:0.0} p99 {PostP99:0.0} ms";
    }

    /// <summary>One round: connect the subscribers, probe at a steady rate, collect what each subscriber read.</summary>
    private static async Task<Result> MeasureAsync(HttpClient http, string district, string[] poles, int subscribers, int rate, TimeSpan warmUp, TimeSpan duration, int round)
    {
        var sent = new ConcurrentDictionary<string, long>(); // probe value → Stopwatch timestamp before sending (measured probes only)
        var latencies = new List<double>[subscribers];
        long events = 0, gaps = 0;
        using var sse = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan, DefaultRequestHeaders = { Authorization = http.DefaultRequestHeaders.Authorization } };
        var clients = new List<FeedClient>();
        for (var s = 0; s < subscribers; s++)
        {
            var mine = latencies[s] = new List<double>(rate * (int)duration.TotalSeconds);
            var query = subscribers > 1 && s < Filtered ? $"?district={district}&type=pole" : "";
            clients.Add(await FeedClient.ConnectAsync(sse, query, onMessage: m =>
            {
                Interlocked.Increment(ref events);
                if (m.Event == "gap") Interlocked.Increment(ref gaps);
                if (m.Event != "change" || ProbeValue(m.Data) is not { } value || !sent.TryGetValue(value, out var at)) return;
                mine.Add(Stopwatch.GetElapsedTime(at, m.ReceivedAt).TotalMilliseconds);
            }));
        }
        await Task.Delay(500);

        var posts = new ConcurrentBag<double>();
        var inFlight = new List<Task>();
        var total = (int)((warmUp + duration).TotalSeconds * rate);
        var measuredFrom = (int)(warmUp.TotalSeconds * rate);
        var clock = Stopwatch.StartNew();
        Interlocked.Exchange(ref events, 0);
        var eventsAtStart = 0L;
        TimeSpan measuredStart = default;
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            if (i == measuredFrom)
            {
                eventsAtStart = Interlocked.Read(ref events);
                measuredStart = clock.Elapsed;
            }
            // Unique per probe and round: 1.0001, 1.0002, … (dim levels are 0–100), in the form the API writes it back.
            var value = (round * 10 + 1 + (i + 1) / 100_000.0).ToString(CultureInfo.InvariantCulture);
            var pole = poles[i % poles.Length];
            var measured = i >= measuredFrom;
            inFlight.Add(PostAsync(http, pole, value, measured ? sent : null, measured ? posts : null));
        }
        await Task.WhenAll(inFlight);
        var measuredTime = clock.Elapsed - measuredStart;
        var eventsMeasured = Interlocked.Read(ref events) - eventsAtStart;
        await Task.Delay(3_000); // stragglers
        foreach (var client in clients) await client.DisposeAsync();

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var expected = (long)sent.Count * subscribers;
        var postTimes = posts.Order().ToArray();
        return new Result(P(all, 50), P(all, 95), P(all, 99), all.Length > 0 ? all[^1] : double.NaN, all.Length, expected, expected - all.Length,
            Interlocked.Read(ref gaps), eventsMeasured / measuredTime.TotalSeconds, P(postTimes, 50), P(postTimes, 99));
    }

    private static async Task PostAsync(HttpClient http, string pole, string value, ConcurrentDictionary<string, long>? sent, ConcurrentBag<double>? posts)
    {
        var body = new StringContent($$"""{"timestamp":"{{DateTimeOffset.UtcNow:O}}","dimLevel":{{value}}}""", Encoding.UTF8, "application/json");
        var start = Stopwatch.GetTimestamp();
        sent?.TryAdd(value, start);
        using var response = await http.PostAsync($"/api/assets/{pole}/telemetry", body);
        posts?.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (!response.IsSuccessStatusCode) Console.Error.WriteLine($"POST {pole}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The dim level a pole change carries, as written ("dimLevel":1.0042), without parsing the whole event.</summary>
    private static string? ProbeValue(string data)
    {
        var at = data.IndexOf("\"dimLevel\":", StringComparison.Ordinal);
        if (at < 0) return null;
        at += 11;
        var end = data.IndexOfAny([',', '}'], at);
        return end < 0 ? null : data[at..end];
    }

    /// <summary>Waits until the API follows the district's feed (a reading posted there shows up in it).</summary>
    private static async Task FollowedAsync(HttpClient http, string district, string pole)
    {
        await using var feed = await FeedClient.ConnectAsync(http, $"?district={district}");
        for (var attempt = 0; attempt < 120; attempt++)
        {
            await PostAsync(http, pole, (50 + attempt % 2).ToString(CultureInfo.InvariantCulture), null, null);
            if (await feed.NextAsync(TimeSpan.FromMilliseconds(500)) is not null) return;
        }
        throw new TimeoutException($"the feed never followed {district}");
    }

    private static double P(double[] sorted, int percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
