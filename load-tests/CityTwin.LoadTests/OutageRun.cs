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
/// A database outage, as an SRE would cause it: a silo and an API process on a PostgreSQL server of their own, writers
/// changing pole statuses and senders posting telemetry through the API; the server is stopped for a while and started
/// again. Every answer is counted by status; the recovery is the time from the server accepting connections again
/// until a status change and a telemetry batch are both acknowledged. Then the silo is killed (SIGKILL) and a fresh one
/// reads what was stored: every acknowledged status change must be there, and every reading acknowledged before the
/// recovery plus two write-behind windows. Used by the end-to-end outage test (asserting) and the outage benchmark.
/// </summary>
public static class OutageRun
{
    private static readonly AssetStatus[] Cycle = [AssetStatus.Degraded, AssetStatus.Maintenance, AssetStatus.Operational];

    /// <summary>The silo's telemetry write-behind window in this run (and so what a crash may lose of telemetry).</summary>
    public static readonly TimeSpan WriteBehind = TimeSpan.FromSeconds(2);

    public static async Task<OutageResult> RunAsync(string siloDll, string apiDll, TimeSpan outage, int assets = 1_000, int writers = 8, Action<string>? log = null)
    {
        log ??= _ => { };
        await using var database = await ThrowawayPostgres.StartAsync();
        var admin = AdminKey.New();
        string[] common =
        [
            "--Storage:Provider=PostgreSql", $"--Storage:ConnectionString={database.ConnectionString}", "--Storage:ClusterId=outage",
            "--Logging:LogLevel:Default=Warning", admin.Argument, "--Api:RateLimits:Enabled=false", // one client stands for many operators
        ];
        string[] silo = [.. common, $"--Silo:Port={ChildProcess.FreePort()}", $"--Silo:GatewayPort={ChildProcess.FreePort()}", "--Seed:Assets=0",
            $"--Twin:TelemetryWriteBehind={WriteBehind}"];
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 23 });
        var poles = city.Assets.Where(a => a.Type == AssetType.Pole).Select(a => a.Id).ToArray();
        var counted = city.Assets.Where(a => a.Type == AssetType.Pole).Take(200).Select(a => a.Id).ToArray(); // telemetry goes to these

        ChildProcess? siloProcess = await ChildProcess.StartAsync(siloDll, silo);
        ChildProcess? api = await ChildProcess.StartAsync(apiDll, common);
        try
        {
            using var http = admin.Authorize(new HttpClient { BaseAddress = new Uri(api.Url), Timeout = TimeSpan.FromSeconds(60) });
            await FailoverRun.ImportAsync(http, city.Assets);

            var answers = new ConcurrentDictionary<int, int>();
            var without = 0; // 503s without Retry-After
            var acked = new ConcurrentDictionary<string, AssetStatus>();
            var unacked = new ConcurrentDictionary<string, AssetStatus>(); // no answer: the pole is left alone after it
            var refused = new ConcurrentDictionary<string, AssetStatus>(); // a 503 since the last acknowledged change
            var readingAcked = new ConcurrentDictionary<string, long>(); // pole → newest acknowledged reading (ticks)
            long lastCommandOk = 0, lastIngestOk = 0; // Stopwatch ticks of the last acknowledged command / batch
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();

            void Count(HttpResponseMessage r)
            {
                answers.AddOrUpdate((int)r.StatusCode, 1, (_, n) => n + 1);
                if ((int)r.StatusCode == 503 && r.Headers.RetryAfter is null) Interlocked.Increment(ref without);
            }

            var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                var mine = poles.Where((_, i) => i % writers == w).ToArray();
                for (var round = 0; !stop.IsCancellationRequested; round++)
                foreach (var id in mine)
                {
                    if (stop.IsCancellationRequested) return;
                    if (unacked.ContainsKey(id)) continue; // its outcome is unknown: no later write may overtake it
                    var status = Cycle[round % Cycle.Length];
                    try
                    {
                        using var r = await http.PostAsync($"/api/assets/{id}/status", JsonContent.Create(new { status = status.ToString().ToLowerInvariant() }));
                        Count(r);
                        if (r.IsSuccessStatusCode)
                        {
                            acked[id] = status;
                            refused.TryRemove(id, out _);
                            Volatile.Write(ref lastCommandOk, clock.Elapsed.Ticks);
                        }
                        else if ((int)r.StatusCode == 503)
                        {
                            refused[id] = status; // refused, or (a timeout) maybe applied: a later acknowledged change settles it
                            await Task.Delay(200);
                        }
                        else unacked[id] = status;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        unacked[id] = status;
                        answers.AddOrUpdate(0, 1, (_, n) => n + 1);
                    }
                }
            })).ToList();

            var ingesting = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var at = DateTimeOffset.UtcNow;
                    var body = new StringBuilder("[");
                    for (var i = 0; i < counted.Length; i++)
                        body.Append(i > 0 ? "," : "").Append($$"""{"id":"{{counted[i]}}","timestamp":"{{at:O}}","dimLevel":{{at.Millisecond % 101}}}""");
                    try
                    {
                        using var r = await http.PostAsync("/api/telemetry", new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json"));
                        Count(r);
                        if (r.IsSuccessStatusCode)
                        {
                            var report = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
                            var rejected = report["rejected"]!.AsArray().Select(x => (string)x!["id"]!).ToHashSet();
                            foreach (var id in counted)
                                if (!rejected.Contains(id)) readingAcked[id] = at.UtcTicks;
                            if (rejected.Count == 0) Volatile.Write(ref lastIngestOk, clock.Elapsed.Ticks);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { answers.AddOrUpdate(0, 1, (_, n) => n + 1); }
                    await Task.Delay(100);
                }
            });

            await Task.Delay(TimeSpan.FromSeconds(3));
            log($"stopping PostgreSQL for {outage.TotalSeconds:0} s");
            await database.StopAsync();
            var stoppedAt = clock.Elapsed;
            await Task.Delay(outage);
            await database.StartAgainAsync();
            var backAt = clock.Elapsed;
            log($"PostgreSQL accepts connections again ({(backAt - stoppedAt).TotalSeconds:0.0} s after it stopped)");

            // Recovered when a command and a whole batch were acknowledged after the server came back.
            while (clock.Elapsed - backAt < TimeSpan.FromSeconds(60)
                   && (Volatile.Read(ref lastCommandOk) < backAt.Ticks || Volatile.Read(ref lastIngestOk) < backAt.Ticks))
                await Task.Delay(50);
            var recovery = TimeSpan.FromTicks(Math.Max(Volatile.Read(ref lastCommandOk), Volatile.Read(ref lastIngestOk))) - backAt;
            log($"recovered {recovery.TotalSeconds:0.0} s after PostgreSQL came back");

            // Readings acknowledged from now on may still be in the write-behind window when the silo is killed.
            await Task.Delay(3 * WriteBehind);
            var durableReadings = new Dictionary<string, long>(readingAcked);
            await Task.Delay(2 * WriteBehind);
            await stop.CancelAsync();
            await Task.WhenAll([.. writing, ingesting]);

            await siloProcess.KillAsync();
            await api.DisposeAsync();
            api = null;
            siloProcess = await ChildProcess.StartAsync(siloDll, silo);
            api = await ChildProcess.StartAsync(apiDll, common);
            using var fresh = admin.Authorize(new HttpClient { BaseAddress = new Uri(api.Url), Timeout = TimeSpan.FromSeconds(60) });

            var lost = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(poles, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
            {
                var asset = await fresh.GetFromJsonAsync<JsonObject>($"/api/assets/{id}");
                var status = Enum.Parse<AssetStatus>((string)asset!["status"]!, ignoreCase: true);
                if (acked.TryGetValue(id, out var want) && status != want
                    && !(unacked.TryGetValue(id, out var maybe) && status == maybe) && !(refused.TryGetValue(id, out var perhaps) && status == perhaps))
                    lost.Add($"{id}: status {want} acknowledged, {status} stored");
                if (durableReadings.TryGetValue(id, out var reading)
                    && (asset["telemetryAt"] is not { } at || DateTimeOffset.Parse((string)at!).UtcTicks < reading))
                    lost.Add($"{id}: reading of {new DateTimeOffset(reading, TimeSpan.Zero):O} acknowledged, {asset["telemetryAt"]} stored");
            });

            return new OutageResult
            {
                Outage = backAt - stoppedAt,
                Recovery = recovery,
                Answers = new SortedDictionary<int, int>(answers),
                ServiceUnavailableWithoutRetryAfter = without,
                AckedCommands = acked.Count,
                Lost = [.. lost.Order(StringComparer.Ordinal)],
            };
        }
        finally
        {
            if (api is not null) await api.DisposeAsync();
            if (siloProcess is not null) await siloProcess.DisposeAsync();
        }
    }

}

/// <summary>What one database outage showed.</summary>
public sealed record OutageResult
{
    public required TimeSpan Outage { get; init; }
    /// <summary>From the database accepting connections again until a command and a telemetry batch were both acknowledged.</summary>
    public required TimeSpan Recovery { get; init; }
    /// <summary>Answers by HTTP status (0: no answer: the request failed or timed out).</summary>
    public required IReadOnlyDictionary<int, int> Answers { get; init; }
    public required int ServiceUnavailableWithoutRetryAfter { get; init; }
    public required int AckedCommands { get; init; }
    /// <summary>Acknowledged status changes or readings not found after a restart.</summary>
    public required IReadOnlyList<string> Lost { get; init; }

    public int ServerErrorsOtherThan503 => Answers.Where(a => a.Key >= 500 && a.Key != 503).Sum(a => a.Value);

    public override string ToString() =>
        $"outage {Outage.TotalSeconds:0.0} s; recovered {Recovery.TotalSeconds:0.0} s after the database returned; answers " +
        string.Join(", ", Answers.Select(a => $"{(a.Key == 0 ? "none" : a.Key)}: {a.Value:N0}")) +
        $"; 5xx other than 503: {ServerErrorsOtherThan503}; 503 without Retry-After: {ServiceUnavailableWithoutRetryAfter}; " +
        $"{AckedCommands} poles with an acknowledged status change; {Lost.Count} lost";
}
