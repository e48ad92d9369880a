using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using CityTwin.Storage;

namespace CityTwin.LoadTests;

/// <summary>
/// Hours of a working day, compressed: two silos and an API (separate processes) under mixed load — telemetry at a
/// steady rate, status changes whose acknowledgements are checked at the end, reads by id and by area, live-feed
/// subscribers, a link cut or repaired every minute, a scenario every five — while one silo is killed (SIGKILL) and
/// started again at a fixed interval. Per minute: readings applied, answers by status, read p99, and every process's
/// memory. At the end: acknowledged status changes found (none may be lost) and memory growth after warm-up.
/// </summary>
public static class SoakRun
{
    private static readonly AssetStatus[] Cycle = [AssetStatus.Degraded, AssetStatus.Maintenance, AssetStatus.Operational];

    public static async Task<SoakResult> RunAsync(string siloDll, string apiDll, StorageOptions storage, TimeSpan duration, TimeSpan killEvery,
        int readingsPerSecond, int assets = 2_000, Action<string>? log = null)
    {
        log ??= _ => { };
        var admin = AdminKey.New();
        string[] common =
        [
            $"--Storage:Provider={storage.Provider}", $"--Storage:ConnectionString={storage.ConnectionString}", $"--Storage:ClusterId={storage.ClusterId}",
            "--Logging:LogLevel:Default=Warning", admin.Argument, "--Api:RateLimits:Enabled=false",
        ];
        string[][] siloArgs = [.. Enumerable.Range(0, 2).Select(_ => (string[])
            [.. common, $"--Silo:Port={ChildProcess.FreePort()}", $"--Silo:GatewayPort={ChildProcess.FreePort()}", "--Silo:DirectoryCache=true", "--Seed:Assets=0"])];
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 29 });
        var poles = city.Assets.Where(a => a.Type == AssetType.Pole).Select(a => a.Id).ToArray();
        var links = city.Assets.Where(a => a.Type == AssetType.Link).Select(a => a.Id).ToArray();
        var ids = city.Assets.Select(a => a.Id).ToArray();

        var silos = new ChildProcess?[2];
        ChildProcess? api = null;
        try
        {
            for (var i = 0; i < 2; i++) silos[i] = await ChildProcess.StartAsync(siloDll, siloArgs[i]);
            api = await ChildProcess.StartAsync(apiDll, common);
            using var http = admin.Authorize(new HttpClient { BaseAddress = new Uri(api.Url), Timeout = TimeSpan.FromSeconds(60) });
            await FailoverRun.ImportAsync(http, city.Assets);

            var minutes = new ConcurrentDictionary<int, Minute>();
            var clock = Stopwatch.StartNew();
            Minute Now() => minutes.GetOrAdd((int)clock.Elapsed.TotalMinutes, m => new Minute(m));
            var acked = new ConcurrentDictionary<string, AssetStatus>();
            var maybe = new ConcurrentDictionary<string, AssetStatus>(); // unanswered or 503 since the last acknowledged change
            using var stop = new CancellationTokenSource();

            async Task<HttpResponseMessage?> SendAsync(Func<Task<HttpResponseMessage>> send)
            {
                try
                {
                    var r = await send();
                    Now().Answer((int)r.StatusCode);
                    return r;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Now().Answer(0);
                    return null;
                }
            }

            var work = new List<Task>
            {
                // Telemetry: batches of 500 at the given rate.
                Task.Run(async () =>
                {
                    var batch = 500;
                    var position = 0;
                    using var tick = new PeriodicTimer(TimeSpan.FromSeconds((double)batch / readingsPerSecond));
                    while (await tick.WaitForNextTickAsync(CancellationToken.None) && !stop.IsCancellationRequested)
                    {
                        var at = DateTimeOffset.UtcNow;
                        var body = new StringBuilder("[");
                        for (var k = 0; k < batch; k++, position++)
                            body.Append(k > 0 ? "," : "").Append($$"""{"id":"{{poles[position % poles.Length]}}","timestamp":"{{at:O}}","dimLevel":{{(position / poles.Length + k) % 101}}}""");
                        _ = Task.Run(async () =>
                        {
                            using var r = await SendAsync(() => http.PostAsync("/api/telemetry", new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json")));
                            if (r is { IsSuccessStatusCode: true }) Now().Applied((long)JsonNode.Parse(await r.Content.ReadAsStringAsync())!["applied"]!);
                        });
                    }
                }),
                // Reads: by id and by area, 50 a second, timed.
                Task.Run(async () =>
                {
                    var random = new Random(5);
                    using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
                    while (await tick.WaitForNextTickAsync(CancellationToken.None) && !stop.IsCancellationRequested)
                    {
                        var path = random.Next(10) == 0 ? $"/api/assets?district={city.Assets[random.Next(ids.Length)].District}&limit=100" : $"/api/assets/{ids[random.Next(ids.Length)]}";
                        _ = Task.Run(async () =>
                        {
                            var started = Stopwatch.GetTimestamp();
                            using var r = await SendAsync(() => http.GetAsync(path));
                            Now().Read(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        });
                    }
                }),
                // A cascade a minute: one link cut, then repaired the next minute.
                Task.Run(async () =>
                {
                    for (var n = 0; !stop.IsCancellationRequested; n++)
                    {
                        var condition = n % 2 == 0 ? "down" : "up";
                        using var _ = await SendAsync(() => http.PostAsync($"/api/links/{links[n / 2 % links.Length]}/status", JsonContent.Create(new { condition })));
                        await Task.Delay(TimeSpan.FromMinutes(1), stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }
                }),
                // A scenario every five minutes.
                Task.Run(async () =>
                {
                    var district = city.Assets.First(a => a.Type == AssetType.Link).District;
                    var link = city.Assets.First(a => a.Type == AssetType.Link && a.District == district).Id;
                    for (var n = 0; !stop.IsCancellationRequested; n++)
                    {
                        var spec = new JsonObject
                        {
                            ["name"] = $"soak {n}", ["snapshotId"] = district, ["start"] = "2026-11-30T17:00:00Z", ["horizonSeconds"] = 1800, ["intervalSeconds"] = 300, ["seed"] = n,
                            ["demand"] = new JsonObject { ["tripsPerHourPerIntersection"] = 100 },
                            ["perturbations"] = new JsonArray(new JsonObject { ["kind"] = "linkDown", ["targetId"] = link, ["atSeconds"] = 300 }),
                        };
                        using var _ = await SendAsync(() => http.PostAsync("/api/scenarios", JsonContent.Create(spec)));
                        await Task.Delay(TimeSpan.FromMinutes(5), stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }
                }),
            };
            // Status changes: 4 writers, each over its own poles; an unanswered change leaves its pole's outcome open until the next acknowledged one.
            work.AddRange(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var mine = poles.Where((_, i) => i % 4 == w).ToArray();
                for (var round = 0; !stop.IsCancellationRequested; round++)
                foreach (var id in mine)
                {
                    if (stop.IsCancellationRequested) return;
                    var status = Cycle[round % Cycle.Length];
                    using var r = await SendAsync(() => http.PostAsync($"/api/assets/{id}/status", JsonContent.Create(new { status = status.ToString().ToLowerInvariant() })));
                    if (r is { IsSuccessStatusCode: true })
                    {
                        acked[id] = status;
                        maybe.TryRemove(id, out _);
                    }
                    else maybe[id] = status;
                    await Task.Delay(50);
                }
            })));
            // Feed subscribers: count events and gap notices, reconnecting when the stream ends.
            long feedEvents = 0, feedGaps = 0;
            work.AddRange(Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
            {
                string? last = null;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await using var feed = await FeedClient.ConnectAsync(http, "", lastEventId: last);
                        await foreach (var m in feed.Messages.ReadAllAsync(stop.Token))
                        {
                            last = m.Id ?? last;
                            if (m.Event == "gap") Interlocked.Increment(ref feedGaps);
                            else Interlocked.Increment(ref feedEvents);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException) { }
                    if (!stop.IsCancellationRequested) await Task.Delay(1000);
                }
            })));

            // Memory of every process each 10 s (resident, and the managed heap its last GC left, from its /metrics: a leak
            // grows the latter; the former also holds what the GC keeps committed); a silo killed and started again at each interval.
            using var scraper = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            async Task SampleAsync(Minute minute, string name, ChildProcess process)
            {
                Minute.Peak(minute.MemoryBytes, name, process.WorkingSetBytes());
                try
                {
                    var metrics = await scraper.GetStringAsync($"{process.Url}/metrics");
                    Minute.Peak(minute.HeapBytes, name, PrometheusText.Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes")); // all generations
                    Minute.Peak(minute.CommittedBytes, name, PrometheusText.Sum(metrics, "dotnet_gc_last_collection_memory_committed_size_bytes"));
                    Minute.Peak(minute.Activations, name, PrometheusText.Sum(metrics, "orleans_catalog_activations"));
                    Minute.Peak(minute.Series, name, PrometheusText.Series(metrics));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            }
            var kills = 0;
            var nextKill = killEvery;
            while (clock.Elapsed < duration)
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
                var minute = Now();
                await SampleAsync(minute, "api", api);
                for (var i = 0; i < 2; i++)
                    if (silos[i] is { HasExited: false } s) await SampleAsync(minute, $"silo-{i + 1}", s);
                if (clock.Elapsed >= nextKill && clock.Elapsed < duration - TimeSpan.FromSeconds(30))
                {
                    var victim = kills % 2 == 0 ? 1 : 1; // always silo-2: silo-1 and the API show whether memory stays flat
                    log($"{clock.Elapsed:mm\\:ss} killing silo-{victim + 1}");
                    await silos[victim]!.KillAsync();
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    silos[victim] = await ChildProcess.StartAsync(siloDll, siloArgs[victim]);
                    log($"{clock.Elapsed:mm\\:ss} silo-{victim + 1} is back");
                    kills++;
                    nextKill += killEvery;
                }
            }
            await stop.CancelAsync();
            await Task.WhenAll(work).WaitAsync(TimeSpan.FromSeconds(90)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            var lost = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(acked, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pair, _) =>
            {
                JsonObject? asset = null;
                for (var attempt = 0; asset is null && attempt < 10; attempt++)
                {
                    try { asset = await http.GetFromJsonAsync<JsonObject>($"/api/assets/{pair.Key}"); }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(1000); }
                }
                // What the command set: the status shown is the worse of it and the pole's state, and a link cut by the
                // cascade writer (possibly still down at the end) makes its poles degraded whatever their operator said.
                var status = asset is null ? (AssetStatus?)null : Enum.Parse<AssetStatus>((string)asset["operatorStatus"]!, ignoreCase: true);
                if (status != pair.Value && !(maybe.TryGetValue(pair.Key, out var open) && status == open))
                    lost.Add($"{pair.Key}: {pair.Value} acknowledged, {status?.ToString() ?? "no answer"} found");
            });

            return new SoakResult
            {
                Minutes = [.. minutes.Values.OrderBy(m => m.Index)],
                Kills = kills,
                WarmUpMinutes = kills > 0 ? (int)killEvery.TotalMinutes + 1 : 1,
                AckedPoles = acked.Count,
                Lost = [.. lost.Order(StringComparer.Ordinal)],
                FeedEvents = feedEvents,
                FeedGaps = feedGaps,
            };
        }
        finally
        {
            if (api is not null) await api.DisposeAsync();
            foreach (var silo in silos) if (silo is not null) await silo.DisposeAsync();
        }
    }

    /// <summary>One minute of the soak: answers by status (0: no answer), readings applied, read latencies, peak memory per process.</summary>
    public sealed class Minute(int index)
    {
        public int Index { get; } = index;
        public ConcurrentDictionary<int, int> Answers { get; } = new();
        public ConcurrentBag<double> Reads { get; } = [];
        public ConcurrentDictionary<string, long> MemoryBytes { get; } = new();
        /// <summary>Per process, the largest managed heap a GC left in the minute.</summary>
        public ConcurrentDictionary<string, long> HeapBytes { get; } = new();
        /// <summary>Per process, the most memory the GC had committed after a collection in the minute (in use or kept for reuse).</summary>
        public ConcurrentDictionary<string, long> CommittedBytes { get; } = new();
        /// <summary>Per process, the most grain activations it held in the minute, and the most metric series it exported.</summary>
        public ConcurrentDictionary<string, long> Activations { get; } = new();
        public ConcurrentDictionary<string, long> Series { get; } = new();
        private long _applied;
        public long ReadingsApplied => Interlocked.Read(ref _applied);

        public void Answer(int status) => Answers.AddOrUpdate(status, 1, (_, n) => n + 1);
        public void Applied(long n) => Interlocked.Add(ref _applied, n);
        public void Read(double ms) => Reads.Add(ms);
        /// <summary>Keeps the largest of a process's samples in the minute.</summary>
        public static void Peak(ConcurrentDictionary<string, long> peaks, string process, long value) => peaks.AddOrUpdate(process, value, (_, p) => Math.Max(p, value));

        public double ReadP99 => Reads.IsEmpty ? 0 : Reads.Order().ElementAt(Math.Min(Reads.Count - 1, (int)(Reads.Count * 0.99)));
        public int ServerErrors(int except = 503) => Answers.Where(a => a.Key >= 500 && a.Key != except).Sum(a => a.Value);
    }
}

/// <summary>What a soak showed.</summary>
public sealed record SoakResult
{
    public required IReadOnlyList<SoakRun.Minute> Minutes { get; init; }
    public required int Kills { get; init; }
    public required int AckedPoles { get; init; }
    public required IReadOnlyList<string> Lost { get; init; }
    public required long FeedEvents { get; init; }
    public required long FeedGaps { get; init; }

    /// <summary>
    /// The minute from which memory must stay flat: the first after the first kill's minute. Until then silo-1 takes on
    /// work it had not carried (half the city's grains at the first kill: they stay with it, since nothing moves
    /// activations back) and every process warms up (JIT tiers, pools, the GC's budgets); a leak shows as growth after.
    /// </summary>
    public required int WarmUpMinutes { get; init; }

    /// <summary>A process's resident memory in the last full minute against minute <paramref name="from"/> (the end of warm-up by default), as a ratio.</summary>
    public double MemoryGrowth(string process, int? from = null) => Growth(process, m => m.MemoryBytes, from ?? WarmUpMinutes);

    /// <summary>The same for the managed heap its GCs left.</summary>
    public double HeapGrowth(string process, int? from = null) => Growth(process, m => m.HeapBytes, from ?? WarmUpMinutes);

    private double Growth(string process, Func<SoakRun.Minute, ConcurrentDictionary<string, long>> of, int from)
    {
        var full = Minutes.Where(m => of(m).ContainsKey(process) && m.Index < Minutes[^1].Index).ToList(); // the last minute is cut short
        var start = full.FirstOrDefault(m => m.Index >= from);
        if (start is null || full[^1] == start) return 1;
        return (double)of(full[^1])[process] / of(start)[process];
    }
}
