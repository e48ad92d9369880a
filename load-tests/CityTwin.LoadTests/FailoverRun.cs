using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Contracts.Assets;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using CityTwin.Domain.GeoJson;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace CityTwin.LoadTests;

/// <summary>
/// One failover, as in production: two silo processes and an API process on one database; writers keep changing
/// pole statuses through the API; the silo holding the most asset grains is killed (SIGKILL); then every grain it
/// held is read until it answers, and every asset's final status is checked against what the API acknowledged.
/// Used by the end-to-end failover tests (once, asserting) and by the failover benchmark (several runs, timing).
/// </summary>
public static class FailoverRun
{
    private static readonly AssetStatus[] Cycle =
        [AssetStatus.Degraded, AssetStatus.Faulted, AssetStatus.Maintenance, AssetStatus.Offline, AssetStatus.Operational];

    /// <param name="storage">Where the silos keep state; its ClusterId should be fresh for the run.</param>
    /// <param name="trace">
    /// A folder for the evidence of one run: every survivor read (its start relative to the kill, latency, outcome, and
    /// which silo owned its grain directory entry), each of the victim's grains' recovery, and timestamped (UTC) logs of
    /// the processes with Orleans' membership, directory and connection events, the API's client logging every message
    /// it sends with its gateway.
    /// </param>
    public static async Task<FailoverResult> RunAsync(string siloDll, string apiDll, StorageOptions storage,
        int assets = 1_000, int writers = 16, Action<string>? log = null, string? trace = null)
    {
        log ??= _ => { };
        var admin = AdminKey.New();
        string[] traced = trace is null ? [] :
        [
            "--Logging:Console:FormatterName=simple", "--Logging:Console:FormatterOptions:SingleLine=true",
            "--Logging:Console:FormatterOptions:UseUtcTimestamp=true", "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ",
            "--Logging:LogLevel:Orleans=Information",
            "--Logging:LogLevel:CityTwin.Grains.Assets.AssetGrain=Debug", // which reads went without their district, and when it answered again
            // When a silo addressed each request and queued each answer to the API (load-tests/failover-timeline.py).
            "--Logging:LogLevel:Orleans.Runtime.Placement=Debug", "--Logging:LogLevel:Orleans.Runtime.Messaging.Gateway=Trace",
        ];
        string[] common =
        [
            $"--Storage:Provider={storage.Provider}", $"--Storage:ConnectionString={storage.ConnectionString}",
            $"--Storage:ClusterId={storage.ClusterId}", "--Logging:LogLevel:Default=Warning", admin.Argument, .. traced,
            "--Api:RateLimits:Enabled=false", // one client stands for many operators
        ];
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 17 });
        var ids = city.Assets.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);

        var silos = new List<(ChildProcess Process, int Port)>();
        ChildProcess? api = null;
        IHost? client = null;
        try
        {
            for (var i = 0; i < 2; i++)
            {
                int port = ChildProcess.FreePort(), gateway = ChildProcess.FreePort();
                silos.Add((await ChildProcess.StartAsync(siloDll,
                    [.. common, $"--Silo:Port={port}", $"--Silo:GatewayPort={gateway}", "--Silo:DirectoryCache=true", "--Seed:Assets=0"]), port));
                if (trace is not null) log($"silo :{port} gateway :{gateway} log {silos[^1].Process.LogPath}");
            }
            api = await ChildProcess.StartAsync(apiDll, trace is null ? common
                : [.. common, "--Logging:LogLevel:Orleans.Messaging.ClientMessageCenter=Trace"]);
            if (trace is not null)
                log($"API log {api.LogPath}");
            using var http = admin.Authorize(new HttpClient { BaseAddress = new Uri(api.Url), Timeout = TimeSpan.FromSeconds(90) });
            await ImportAsync(http, city.Assets);
            client = await StartClientAsync(storage);
            var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            // Asset grains are placed at random, so the import leaves about half the city on each silo.
            var assetType = client.Services.GetRequiredService<IClusterClient>().GetGrain<IAssetGrain>("any").GetGrainId().Type;
            var placed = (await management.GetDetailedGrainStatistics()).Where(s => s.GrainId.Type == assetType)
                .GroupBy(s => s.SiloAddress.Endpoint.Port).ToDictionary(g => g.Key, g => g.Count());
            log($"asset grains by silo after the import: {string.Join(", ", placed.Select(p => $":{p.Key} {p.Value}"))}");

            // Writers: one per slice of the poles, each changing its poles' statuses in turn, one request at a time per
            // pole. After an unanswered change a pole is left alone: its final status may be that change or the last
            // acknowledged one, and no later write may overtake a change still in flight.
            var poles = city.Assets.Where(a => a.Type == AssetType.Pole).Select(a => a.Id).ToArray();
            var acked = new ConcurrentDictionary<string, AssetStatus>(city.Assets.ToDictionary(a => a.Id, a => a.Status));
            var unacked = new ConcurrentDictionary<string, AssetStatus>();
            var ackedCount = 0;
            var unackedBy = new ConcurrentDictionary<string, int>();
            var slowestWrite = 0L;
            using var stopWriters = new CancellationTokenSource();
            var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                var mine = poles.Where((_, i) => i % writers == w).ToArray();
                for (var round = 0; !stopWriters.IsCancellationRequested; round++)
                foreach (var id in mine)
                {
                    if (stopWriters.IsCancellationRequested) return;
                    if (unacked.ContainsKey(id)) continue;
                    var status = Cycle[round % Cycle.Length];
                    bool ok;
                    string answer;
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var r = await http.PostAsync($"/api/assets/{id}/status", JsonContent.Create(new { status = status.ToString().ToLowerInvariant() }));
                        (ok, answer) = (r.IsSuccessStatusCode, ((int)r.StatusCode).ToString());
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { (ok, answer) = (false, e is TaskCanceledException ? "timeout" : "error"); }
                    var took = Stopwatch.GetElapsedTime(started).Ticks;
                    for (var seen = Interlocked.Read(ref slowestWrite); took > seen; seen = Interlocked.Read(ref slowestWrite))
                        if (Interlocked.CompareExchange(ref slowestWrite, took, seen) == seen) break;
                    if (ok) { acked[id] = status; Interlocked.Increment(ref ackedCount); }
                    else { unacked[id] = status; unackedBy.AddOrUpdate(answer, 1, (_, n) => n + 1); }
                }
            })).ToList();
            await Task.Delay(TimeSpan.FromSeconds(3));

            // The victim: the silo holding the most asset grains right now.
            var hosts = await management.GetHosts(onlyActive: true);
            var stats = await management.GetDetailedGrainStatistics();
            // Asset grains only: an intersection's detections grain, a link's backhaul grain and others share the asset's key.
            var byPort = stats.Where(s => s.GrainId.Type == assetType && ids.Contains(s.GrainId.Key.ToString()!))
                .GroupBy(s => s.SiloAddress.Endpoint.Port)
                .ToDictionary(g => g.Key, g => g.Select(s => s.GrainId.Key.ToString()!).ToList());
            var victim = silos.MaxBy(s => byPort.GetValueOrDefault(s.Port)?.Count ?? 0);
            var victimGrains = byPort.GetValueOrDefault(victim.Port) ?? [];
            var victimAddress = hosts.Keys.Single(a => a.Endpoint.Port == victim.Port);
            log($"killing the silo on port {victim.Port} (pid {victim.Process.Pid}), which holds {victimGrains.Count} of {ids.Count} asset grains");

            // The other silo's assets: read at a steady pace before the kill (the baseline) and through the recovery, so
            // the run shows whether a failover elsewhere disturbs the assets that never moved. Recovery is timed by reading
            // every grain of the victim until it answers (below), 32 at a time: load the failover itself does not make.
            // So the baseline is taken twice: quiet, and while the same sweep reads the victim's grains still alive — the
            // second differs from the failover only by the failover. The second and the failover are one stream of reads,
            // split at the kill: a read in flight at the SIGKILL counts for the failover, and the kill falls among the
            // reads as it would among any steady load's. (Until 2026-12-05 the failover's reads started afresh at the
            // kill: all four lanes sent their first read at that instant, ten times as many in flight at a SIGKILL as
            // steady reading puts there, and those reads were the failover's slowest.)
            var survivors = byPort.Where(p => p.Key != victim.Port).SelectMany(p => p.Value).ToArray();
            // The survivor's asset activations destroyed from now until the recovery: a failover that is not theirs
            // should deactivate none of them.
            var survivorSilo = silos.Single(s => s.Port != victim.Port).Process;
            var destroyedBefore = await DestroyedAssetActivationsAsync(survivorSilo);
            var quiet = new ConcurrentQueue<ReadRecord>();
            await ReadSteadilyAsync(http, survivors, TimeSpan.FromSeconds(3), CancellationToken.None, quiet);
            using var recovered = new CancellationTokenSource();
            var steady = new ConcurrentQueue<ReadRecord>();
            var survivorReads = ReadSteadilyAsync(http, survivors, TimeSpan.FromMinutes(3), recovered.Token, steady);
            // The baseline leaves out the first half second: the four lanes and the sweep all send their first request at once.
            var baselineFrom = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
            var (copiesBefore, _) = await ReadCopiesAsync(api);
            var withoutBefore = await ReadsWithoutDistrictAsync(survivorSilo);
            var attempts = trace is null ? null : new ConcurrentQueue<ReadRecord>(); // the sweep's reads, before the kill and after
            for (var sweep = Stopwatch.StartNew(); sweep.Elapsed < TimeSpan.FromSeconds(3);)
                await SweepAsync(http, victimGrains, Stopwatch.StartNew(), new ConcurrentDictionary<string, TimeSpan>(), attempts);

            var (copiesAtKill, hedgeDelayAtKill) = await ReadCopiesAsync(api);
            var withoutAtKill = await ReadsWithoutDistrictAsync(survivorSilo);
            // The clock starts at the SIGKILL; the process is gone (its sockets closed) a little later, when Kill returns.
            var killedAt = DateTime.UtcNow;
            var killedTimestamp = Stopwatch.GetTimestamp();
            var clock = Stopwatch.StartNew();
            var dying = trace is null ? null : new List<string>();
            await victim.Process.KillAsync(dying is null ? null : dying.Add);
            var killToExit = clock.Elapsed;
            if (dying is not null) { Directory.CreateDirectory(trace!); await File.WriteAllLinesAsync(Path.Combine(trace!, "dying.txt"), dying); }
            var declaredDead = WatchDeclaredDeadAsync(storage, victimAddress, clock);

            var answered = new ConcurrentDictionary<string, TimeSpan>();
            await SweepAsync(http, victimGrains, clock, answered, attempts);
            var recovery = answered.IsEmpty ? TimeSpan.Zero : answered.Values.Max();
            var recoveredTimestamp = Stopwatch.GetTimestamp();
            var (copiesAtRecovery, _) = await ReadCopiesAsync(api);
            var withoutAtRecovery = await ReadsWithoutDistrictAsync(survivorSilo);
            await recovered.CancelAsync();
            await survivorReads;
            // Before: answered before the kill. During: in flight at the kill, or sent before every grain answered again.
            var before = steady.Where(r => r.Started >= baselineFrom && r.Answered < killedTimestamp);
            var during = steady.Where(r => r.Answered >= killedTimestamp && r.Started < recoveredTimestamp).ToList();
            var inFlightAtKill = during.Where(r => r.Started < killedTimestamp);
            var slowestDuring = during.OrderByDescending(r => r.Milliseconds).Take(3)
                .Select(r => $"{r.Milliseconds:0} ms sent {Stopwatch.GetElapsedTime(killedTimestamp, r.Started).TotalMilliseconds:0} ms after the kill").ToList();
            var survivorsDeactivated = await DestroyedAssetActivationsAsync(survivorSilo) - destroyedBefore;
            var pending = victimGrains.Where(id => !answered.ContainsKey(id)).ToList();
            log($"every grain of the killed silo answered after {recovery.TotalSeconds:0.0} s ({pending.Count} never did)");

            // A little more writing on the surviving silo, then the verdict.
            await Task.Delay(TimeSpan.FromSeconds(2));
            await stopWriters.CancelAsync();
            await Task.WhenAll(writing);
            var dead = await declaredDead;

            if (trace is not null)
                await WriteTraceAsync(trace, client.Services.GetRequiredService<IClusterClient>(), hosts.Keys.ToList(), victimAddress,
                    killedAt, killedTimestamp, killToExit, dead, [.. quiet, .. steady], attempts!, answered, survivors, victimGrains);

            var lost = new ConcurrentBag<string>();
            var unanswered = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, _) =>
            {
                JsonObject? asset = null;
                for (var attempt = 0; asset is null && attempt < 20; attempt++)
                {
                    try
                    {
                        using var r = await http.GetAsync($"/api/assets/{id}");
                        if (r.IsSuccessStatusCode) asset = await r.Content.ReadFromJsonAsync<JsonObject>();
                        else await Task.Delay(500);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(500); }
                }
                if (asset is null) { unanswered.Add(id); return; }
                var actual = Enum.Parse<AssetStatus>((string)asset["status"]!, ignoreCase: true);
                if (actual != acked[id] && !(unacked.TryGetValue(id, out var maybe) && actual == maybe))
                    lost.Add($"{id}: acknowledged {acked[id]}, found {actual}");
            });

            return new FailoverResult
            {
                VictimGrains = victimGrains.Count,
                KillToExit = killToExit,
                DeclaredDead = dead,
                Recovery = pending.Count == 0 ? recovery : TimeSpan.MaxValue,
                SlowestWrite = TimeSpan.FromTicks(Interlocked.Read(ref slowestWrite)),
                SurvivorReadsQuiet = ReadLatencies.Of(quiet),
                SurvivorReadsBefore = ReadLatencies.Of(before),
                SurvivorReadsDuring = ReadLatencies.Of(during),
                SurvivorReadsInFlightAtKill = ReadLatencies.Of(inFlightAtKill),
                SlowestSurvivorReads = slowestDuring,
                AckedWrites = ackedCount,
                UnackedBy = unackedBy,
                Lost = [.. lost.Order(StringComparer.Ordinal)],
                Unanswered = [.. unanswered.Order(StringComparer.Ordinal)],
                SurvivorGrains = survivors.Length,
                SurvivorsDeactivated = survivorsDeactivated,
                ReadCopiesBefore = copiesAtKill.Since(copiesBefore),
                ReadCopiesDuring = copiesAtRecovery.Since(copiesAtKill),
                WithoutDistrictBefore = withoutAtKill.Since(withoutBefore),
                WithoutDistrictDuring = withoutAtRecovery.Since(withoutAtKill),
                AssetHedgeDelayAtKill = hedgeDelayAtKill,
            };
        }
        finally
        {
            if (client is not null) { await client.StopAsync(); client.Dispose(); }
            if (api is not null) await api.DisposeAsync();
            foreach (var (silo, _) in silos) await silo.DisposeAsync();
        }
    }

    /// <summary>The reads the API has copied so far, by reason, and the hedge delay of its asset reads (GatewayLoss).</summary>
    private static async Task<(ReadCopies Copies, TimeSpan AssetHedgeDelay)> ReadCopiesAsync(ChildProcess api)
    {
        var metrics = await MetricsAsync(api);
        long Copies(string reason) => PrometheusText.Sum(metrics, "citytwin_read_copies_total", $"reason=\"{reason}\"");
        return (new ReadCopies(Copies("hedge"), Copies("silent_gateway"), Copies("gateway_lost"), Copies("not_sent")),
            TimeSpan.FromSeconds(PrometheusText.Value(metrics, "citytwin_read_hedge_delay_seconds", "kind=\"Asset\"")));
    }

    /// <summary>The silo's asset reads answered without their district's newest readings so far, by reason.</summary>
    private static async Task<ReadsWithoutDistrict> ReadsWithoutDistrictAsync(ChildProcess silo)
    {
        var metrics = await MetricsAsync(silo);
        long Reads(string reason) => PrometheusText.Sum(metrics, "citytwin_asset_reads_without_district_total", $"reason=\"{reason}\"");
        return new ReadsWithoutDistrict(Reads("slow"), Reads("silent"));
    }

    /// <summary>Asset grain activations the silo has destroyed since it started (Orleans' catalog counter).</summary>
    private static async Task<long> DestroyedAssetActivationsAsync(ChildProcess silo) =>
        PrometheusText.Sum(await MetricsAsync(silo), "orleans_catalog_activation_destroyed_total", "grain_type=\"asset\"");

    /// <summary>One scrape of the process's /metrics.</summary>
    private static async Task<string> MetricsAsync(ChildProcess process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync($"{process.Url}/metrics");
    }

    /// <summary>Imports the city through the API (also for the outage and soak runs and the fan-out test).</summary>
    public static async Task ImportAsync(HttpClient http, IReadOnlyList<Asset> assets)
    {
        using var buffer = new MemoryStream();
        await GeoJsonWriter.WriteAsync(buffer, assets, CancellationToken.None);
        // An import is idempotent, so a server error (seen while a fresh two-silo cluster settles) is retried.
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.PostAsync("/api/import",
                new ByteArrayContent(buffer.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/geo+json") } });
            if (response.IsSuccessStatusCode) return;
            if ((int)response.StatusCode < 500 || attempt == 3) throw new InvalidOperationException($"import failed: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>An Orleans client of the cluster, for the management grain (where grains live, who is dead).</summary>
    public static async Task<IHost> StartClientAsync(StorageOptions storage)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c => c.UseCityTwinClustering(storage));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>
    /// Every given grain, read until it answers, 32 at a time; the time of its first answer (on <paramref name="clock"/>) is
    /// its recovery. Each attempt gives up after 2 s and is sent again: a request caught in flight at the kill may wait for
    /// Orleans' 30 s response timeout, which says nothing about when the grain is back (writers measure that wait).
    /// </summary>
    private static async Task SweepAsync(HttpClient http, IReadOnlyList<string> ids, Stopwatch clock, ConcurrentDictionary<string, TimeSpan> answered,
        ConcurrentQueue<ReadRecord>? attempts)
    {
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(ids.Select(async id =>
        {
            while (clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                await gate.WaitAsync();
                var started = Stopwatch.GetTimestamp();
                var outcome = "timeout";
                try
                {
                    using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    using var r = await http.GetAsync($"/api/assets/{id}", attempt.Token);
                    outcome = ((int)r.StatusCode).ToString();
                    if (r.IsSuccessStatusCode) { answered[id] = clock.Elapsed; return; }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { outcome = e is HttpRequestException ? "error" : outcome; }
                finally
                {
                    gate.Release();
                    attempts?.Enqueue(new ReadRecord(started, Stopwatch.GetTimestamp(), id, outcome, 0));
                }
                await Task.Delay(100);
            }
        }));
    }

    /// <summary>
    /// GETs of the given assets, 50 a second, one after another in four lanes, until the time is up or it is cancelled;
    /// an attempt not answered in 2 s counts as 2 s (and an error) rather than hiding in a retry. Each read goes to <paramref name="records"/>.
    /// </summary>
    private static async Task ReadSteadilyAsync(HttpClient http, string[] ids, TimeSpan limit, CancellationToken stop,
        ConcurrentQueue<ReadRecord> records)
    {
        if (ids.Length == 0) return;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async lane =>
        {
            var random = new Random(lane);
            await Task.Delay(TimeSpan.FromMilliseconds(20 * lane)); // a read every 20 ms, not four every 80
            for (var n = 0; !stop.IsCancellationRequested && clock.Elapsed < limit; n++)
            {
                var started = Stopwatch.GetTimestamp();
                var id = ids[random.Next(ids.Length)];
                string outcome;
                try
                {
                    using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    using var r = await http.GetAsync($"/api/assets/{id}", attempt.Token);
                    outcome = ((int)r.StatusCode).ToString();
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    outcome = e is OperationCanceledException ? "timeout" : "error";
                }
                records.Enqueue(new ReadRecord(started, Stopwatch.GetTimestamp(), id, outcome, lane));
                var pause = TimeSpan.FromMilliseconds(80) - Stopwatch.GetElapsedTime(started);
                if (pause > TimeSpan.Zero) await Task.Delay(pause);
            }
        }));
    }

    /// <summary>One read: when it was sent and answered (<see cref="Stopwatch"/> timestamps), its asset and outcome (a status code, "error" or "timeout").</summary>
    internal sealed record ReadRecord(long Started, long Answered, string Id, string Outcome, int Lane)
    {
        public double Milliseconds => Stopwatch.GetElapsedTime(Started, Answered).TotalMilliseconds;
        public bool Failed => Outcome is not ("200" or "304");
    }

    /// <summary>The evidence of a traced run (see <c>trace</c> of <see cref="RunAsync"/>), as tab-separated files.</summary>
    private static async Task WriteTraceAsync(string folder, IClusterClient client, List<SiloAddress> silos, SiloAddress victim,
        DateTime killedAt, long killedTimestamp, TimeSpan killToExit, TimeSpan declaredDead, IEnumerable<ReadRecord> reads, ConcurrentQueue<ReadRecord> attempts,
        ConcurrentDictionary<string, TimeSpan> answered, string[] survivors, List<string> victimGrains)
    {
        Directory.CreateDirectory(folder);
        // Orleans' distributed grain directory, one partition per silo (GrainDirectoryOptions.PartitionsPerSilo): each silo
        // owns the ring from its consistent hash up to the next silo's; a grain's entry lives with the silo whose hash is
        // the largest below the grain's uniform hash (the default directory split the ring at the same points).
        var ring = silos.OrderBy(s => s.GetConsistentHashCode()).ToList();
        string Owner(string id)
        {
            var hash = unchecked((int)client.GetGrain<IAssetGrain>(id).GetGrainId().GetUniformHashCode());
            var owner = ring.LastOrDefault(s => s.GetConsistentHashCode() <= hash) ?? ring[^1];
            return owner.Equals(victim) ? "victim" : "survivor";
        }
        double Since(long timestamp) => Stopwatch.GetElapsedTime(killedTimestamp, timestamp).TotalMilliseconds;
        await File.WriteAllLinesAsync(Path.Combine(folder, "reads.tsv"),
            ["since_kill_ms\tlatency_ms\tasset\toutcome\tdirectory\tlane\tstarted_utc",
             .. reads.OrderBy(r => r.Started).Select(r =>
                 $"{Since(r.Started):0}\t{r.Milliseconds:0}\t{r.Id}\t{r.Outcome}\t{Owner(r.Id)}\t{r.Lane}\t{killedAt.AddMilliseconds(Since(r.Started)):HH:mm:ss.fff}")]);
        await File.WriteAllLinesAsync(Path.Combine(folder, "attempts.tsv"),
            ["since_kill_ms\tlatency_ms\tasset\toutcome", .. attempts.OrderBy(r => r.Started).Select(r => $"{Since(r.Started):0}\t{r.Milliseconds:0}\t{r.Id}\t{r.Outcome}")]);
        await File.WriteAllLinesAsync(Path.Combine(folder, "recovery.tsv"),
            ["asset\tanswered_ms\tdirectory", .. victimGrains.Select(id => $"{id}\t{(answered.TryGetValue(id, out var t) ? t.TotalMilliseconds.ToString("0") : "never")}\t{Owner(id)}")]);
        await File.WriteAllLinesAsync(Path.Combine(folder, "run.txt"),
        [
            $"killed {victim} at {killedAt:HH:mm:ss.fff} UTC (time 0); it had exited {killToExit.TotalMilliseconds:0} ms later; declared dead after {declaredDead.TotalMilliseconds:0} ms",
            $"ring: {string.Join(", ", ring.Select(s => $"{s} hash {s.GetConsistentHashCode()}"))}",
            $"survivor's asset grains {survivors.Length}: directory entry on the victim {survivors.Count(id => Owner(id) == "victim")}",
            $"victim's asset grains {victimGrains.Count}: directory entry on the victim {victimGrains.Count(id => Owner(id) == "victim")}",
        ]);
    }

    /// <summary>
    /// When the membership table marks the victim dead, read from the table itself (every 50 ms): asking the cluster
    /// (the management grain) would measure that grain's own failover when it lived on the victim.
    /// </summary>
    private static async Task<TimeSpan> WatchDeclaredDeadAsync(StorageOptions storage, SiloAddress victim, Stopwatch clock)
    {
        await using var connection = await SchemaInstaller.OpenAsync(storage);
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Port = @port AND Generation = @generation";
            foreach (var (name, value) in new (string, object)[] { ("@cluster", storage.ClusterId), ("@port", victim.Endpoint.Port), ("@generation", victim.Generation) })
            {
                var parameter = command.CreateParameter();
                (parameter.ParameterName, parameter.Value) = (name, value);
                command.Parameters.Add(parameter);
            }
            if (await command.ExecuteScalarAsync() is { } status and not DBNull && Convert.ToInt32(status) == (int)SiloStatus.Dead) return clock.Elapsed;
            await Task.Delay(50);
        }
        return TimeSpan.MaxValue;
    }
}
