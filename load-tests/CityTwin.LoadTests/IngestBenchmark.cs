using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;

namespace CityTwin.LoadTests;

/// <summary>
/// Telemetry ingest end to end into the grains, on the real processes (Release silo on SQLite, API, mosquitto, and the
/// load generator, all on this machine): readings/s applied through (a) POST /api/telemetry batches from concurrent
/// senders, (b) MQTT through mosquitto, one reading per message, and (c) the baseline — a minimal API upserting the
/// same batches into one PostgreSQL table — in the same run. "Applied" is counted from the answers (HTTP), from the
/// bridge's own counter (MQTT), and checked afterwards on a sample of assets' telemetry timestamps.
/// </summary>
public static class IngestBenchmark
{
    private const int Senders = 4;

    /// <param name="only"><c>http</c> or <c>mqtt</c>: that path alone, without the baseline (to work on one path; no ratio).</param>
    public static async Task<List<string>> RunAsync(int assets, int batchSize, TimeSpan window, string? postgres, string? traceDirectory = null, string? only = null)
    {
        var rows = new List<string>();
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
        var fleet = city.Assets.Select(a => new Device(a.Id, a.District, a.Type)).ToArray();
        var data = Directory.CreateTempSubdirectory("citytwin-ingest-").FullName;
        // One publisher account for the whole fleet (district "+": every district), as a gateway in front of the devices would have.
        var publisher = new MqttAccount("bench-gateway", MosquittoAuth.NewPassword(), "+");
        await using var broker = await Mosquitto.StartAsync(publisher);
        try
        {
            await using (var twin = await Twin.StartAsync(data, broker.BridgeArguments))
            {
                var clock = Stopwatch.StartNew();
                await twin.ImportAsync(city.Assets);
                Console.WriteLine($"imported {fleet.Length:N0} assets in {clock.Elapsed.TotalSeconds:0.0} s");

                // Every asset once, so what is measured next is the steady state with every asset active (the first
                // reading of an asset activates its grain: a storage read).
                var stamps = new Stamps(fleet.Length);
                var cold = await SendBatchesAsync(twin.Http, "/api/telemetry", fleet, batchSize, stamps, TimeSpan.FromMinutes(5), maxBatches: (fleet.Length + batchSize - 1) / batchSize);
                rows.Add($"| First reading of every asset (activates its grain), HTTP batches of {batchSize:N0}, {Senders} senders | {cold.Applied:N0} applied in {cold.Elapsed.TotalSeconds:0.0} s: {cold.Applied / cold.Elapsed.TotalSeconds:N0} readings/s | — |");
                Console.WriteLine(rows[^1]);

                if (only != "mqtt")
                {
                    // Load before the window (unmeasured, as for the baseline): the runtime compiles the hot path again
                    // with its optimising tier while it runs, which took a twentieth of the machine's CPU in the window.
                    await SendBatchesAsync(twin.Http, "/api/telemetry", fleet, batchSize, stamps, WarmUp);
                    var traces = traceDirectory is null ? null : Profiler.StartAsync(traceDirectory, "ingest", window, twin);
                    var http = await SendBatchesAsync(twin.Http, "/api/telemetry", fleet, batchSize, stamps, window);
                    if (traces is not null) Profile.AddRange(await traces);
                    var checkedHttp = await VerifyAsync(twin.Http, fleet, stamps, id => $"/api/assets/{id}");
                    rows.Add($"| **HTTP batch** `POST /api/telemetry`, {batchSize:N0} readings a batch, {Senders} concurrent senders, {window.TotalSeconds:0} s, {fleet.Length:N0} assets | **{http.Applied / http.Elapsed.TotalSeconds:N0} readings/s** applied ({http.Applied:N0} applied, {http.Stale:N0} stale, {http.Rejected:N0} rejected, {http.Batches:N0} batches, p50 {http.P(50):0} ms, p99 {http.P(99):0} ms a batch); {checkedHttp} | ≥ 100,000 /s |");
                    Console.WriteLine(rows[^1]);

                    // The same, with values that do not change (only timestamps): no stream events, so this is the ingest path
                    // itself (parse, route, grain calls) without the districts' read model behind it.
                    await SendBatchesAsync(twin.Http, "/api/telemetry", fleet, batchSize, stamps, TimeSpan.FromMinutes(5), maxBatches: (fleet.Length + batchSize - 1) / batchSize, vary: false);
                    var steady = await SendBatchesAsync(twin.Http, "/api/telemetry", fleet, batchSize, stamps, window, vary: false);
                    rows.Add($"| HTTP batch as above, values unchanged (only timestamps move: the asset publishes no change event) | {steady.Applied / steady.Elapsed.TotalSeconds:N0} readings/s applied (p50 {steady.P(50):0} ms, p99 {steady.P(99):0} ms a batch) | — |");
                    Console.WriteLine(rows[^1]);
                    HttpRate = http.Applied / http.Elapsed.TotalSeconds;
                }
                if (only == "http") return rows;

                var mqttTraces = traceDirectory is null || only != "mqtt" ? null : Profiler.StartAsync(traceDirectory, "mqtt", window, twin);
                var mqtt = await PublishAsync(twin.Http, broker.Port, publisher, fleet, stamps, window);
                if (mqttTraces is not null) Profile.AddRange(await mqttTraces);
                var checkedMqtt = await VerifyAsync(twin.Http, fleet, stamps, id => $"/api/assets/{id}");
                rows.Add($"| **MQTT** through mosquitto, one reading a message, QoS 1, {Senders} publishers, {window.TotalSeconds:0} s | **{mqtt.AppliedInWindow / window.TotalSeconds:N0} readings/s** applied in the window (bridge counter; {mqtt.Published:N0} published at {mqtt.Published / window.TotalSeconds:N0}/s, {mqtt.AppliedTotal:N0} applied once drained in {mqtt.Drain.TotalSeconds:0.0} s); {checkedMqtt} | — |");
                Console.WriteLine(rows[^1]);
                MqttRate = mqtt.AppliedInWindow / window.TotalSeconds;
            }

            if (only is not null)
            {
                if (Profile.Count > 0) rows.AddRange(["", $"Where the CPU went during the {only} window, `--trace`:", "", .. Profile]);
                return rows;
            }
            // (c) the baseline, same machine, same batches, after the twin has stopped.
            var started = postgres is null ? await StartPostgresAsync() : postgres;
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(started) { MaxPoolSize = 64 }.ConnectionString;
            await using var baseline = await ChildProcess.StartAsync(BaselineDll(), [$"--Baseline:ConnectionString={connection}"]);
            using var client = new HttpClient { BaseAddress = new Uri(baseline.Url), Timeout = TimeSpan.FromMinutes(5) };
            var register = await client.PostAsync("/api/assets", new StringContent(JsonSerializer.Serialize(fleet.Select(d => new { id = d.Id, type = d.Type.ToString() })), Encoding.UTF8, "application/json"));
            register.EnsureSuccessStatusCode();
            var baselineStamps = new Stamps(fleet.Length);
            await SendBatchesAsync(client, "/api/telemetry", fleet, batchSize, baselineStamps, TimeSpan.FromMinutes(5), maxBatches: (fleet.Length + batchSize - 1) / batchSize);
            await SendBatchesAsync(client, "/api/telemetry", fleet, batchSize, baselineStamps, WarmUp);
            var pg = await SendBatchesAsync(client, "/api/telemetry", fleet, batchSize, baselineStamps, window);
            var checkedPg = await VerifyAsync(client, fleet, baselineStamps, id => $"/api/assets/{id}/latest");
            var pgRate = pg.Applied / pg.Elapsed.TotalSeconds;
            rows.Add($"| Baseline: minimal API + PostgreSQL 15 (binary COPY + one upsert per batch), same batches and senders, {window.TotalSeconds:0} s | **{pgRate:N0} readings/s** applied (p50 {pg.P(50):0} ms, p99 {pg.P(99):0} ms a batch); {checkedPg} | — |");
            rows.Add($"| Twin / baseline | HTTP batch **{HttpRate / pgRate:0.00}×**, MQTT {MqttRate / pgRate:0.00}× | — |");
            if (Profile.Count > 0) rows.AddRange(["", "Where the CPU went during the HTTP window (changing values), `--trace`:", "", .. Profile]);
            rows.ForEach(Console.WriteLine);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
        return rows;
    }

    /// <summary>Load sent before each measured HTTP window, twin and baseline alike (steady state, not start-up).</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    private static double HttpRate, MqttRate;
    private static readonly List<string> Profile = [];

    private sealed record Device(string Id, string District, AssetType Type);

    /// <summary>The timestamp last sent to each asset (in ticks of 10 µs after a base), to check against what the asset shows.</summary>
    private sealed class Stamps(int count)
    {
        // Whole milliseconds plus 10 µs a tick, in integer ticks, so PostgreSQL's microseconds hold every stamp exactly.
        // (ms / 100.0 through AddMilliseconds left some stamps a tick past the microsecond, and Npgsql truncates to the
        // microsecond: the baseline's check failed 28–46 % of rows that held their newest reading.)
        public readonly DateTimeOffset Base = new(DateTimeOffset.UtcNow.AddMinutes(-4).UtcTicks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        public readonly long[] Last = new long[count];
        private long _next;
        public long Next() => Interlocked.Increment(ref _next);
        public string Format(long tick) => At(tick).ToString("O");
        public DateTimeOffset At(long tick) => Base.AddTicks(tick * 10 * TimeSpan.TicksPerMicrosecond);
    }

    /// <param name="vary">False: the same values every time (only the timestamp moves), so the asset's read-model projection
    /// does not change and it publishes no stream event: the ingest path without the read model's fan-in.</param>
    private static string Reading(Device d, long tick, string timestamp, bool vary = true) => (d.Type, vary ? tick : 7) switch
    {
        (AssetType.Pole, var v) => $$"""{"id":"{{d.Id}}","timestamp":"{{timestamp}}","dimLevel":{{v % 101}}}""",
        (AssetType.Camera, var v) => $$"""{"id":"{{d.Id}}","timestamp":"{{timestamp}}","vehicleCount":{{v % 57}}}""",
        (AssetType.Intersection, var v) => $$"""{"id":"{{d.Id}}","timestamp":"{{timestamp}}","flowVehPerHour":{{v % 1800}}}""",
        (_, var v) => $$"""{"id":"{{d.Id}}","timestamp":"{{timestamp}}","latencyMs":{{30 + v % 40}}}""",
    };

    private sealed record SendResult(long Applied, long Stale, long Rejected, int Batches, TimeSpan Elapsed, List<double> Latencies)
    {
        public double P(double p) => Latencies.Count == 0 ? 0 : Latencies.Order().ElementAt(Math.Min(Latencies.Count - 1, (int)(Latencies.Count * p / 100)));
    }

    /// <summary>Senders take consecutive slices of the fleet, round and round, each batch with a newer timestamp.</summary>
    private static async Task<SendResult> SendBatchesAsync(HttpClient http, string path, Device[] fleet, int batchSize, Stamps stamps, TimeSpan window, int maxBatches = int.MaxValue, bool vary = true)
    {
        long applied = 0, stale = 0, rejected = 0;
        var batches = -1;
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            var body = new StringBuilder(batchSize * 100);
            while (clock.Elapsed < window)
            {
                var b = Interlocked.Increment(ref batches);
                if (b >= maxBatches) break;
                var tick = stamps.Next();
                var timestamp = stamps.Format(tick);
                body.Clear().Append('[');
                var first = (int)((long)b * batchSize % fleet.Length);
                var indices = new int[Math.Min(batchSize, fleet.Length)];
                for (var k = 0; k < indices.Length; k++)
                {
                    var i = indices[k] = (first + k) % fleet.Length;
                    if (k > 0) body.Append(',');
                    body.Append(Reading(fleet[i], tick, timestamp, vary));
                }
                body.Append(']');
                var sent = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(path, new StringContent(body.ToString(), Encoding.UTF8, "application/json"));
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
                var report = JsonNode.Parse(text)!;
                Interlocked.Add(ref applied, (long)report["applied"]!);
                Interlocked.Add(ref stale, (long?)report["stale"] ?? 0);
                Interlocked.Add(ref rejected, report["rejected"]?.AsArray().Count ?? 0);
                foreach (var i in indices) InterlockedMax(ref stamps.Last[i], tick);
                lock (latencies) latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }));
        return new SendResult(applied, stale, rejected, Math.Min(batches + 1, maxBatches), clock.Elapsed, latencies);
    }

    private sealed record PublishResult(long Published, long AppliedInWindow, long AppliedTotal, TimeSpan Drain);

    /// <summary>
    /// Devices publish one reading each for the window: QoS 1, each publisher up to 10,000 unacknowledged messages
    /// (<see cref="PipelinedMqttPublisher"/>; MQTTnet's client, a task a publish, capped the figure at what it published).
    /// </summary>
    private static async Task<PublishResult> PublishAsync(HttpClient api, int port, MqttAccount account, Device[] fleet, Stamps stamps, TimeSpan window)
    {
        var before = (long)(await StatusAsync(api))["applied"]!;
        long published = 0, position = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(p => Task.Run(async () =>
        {
            await using var publisher = await PipelinedMqttPublisher.ConnectAsync(port, $"bench-device-{p}", account.User, account.Password,
                (i, tick) => InterlockedMax(ref stamps.Last[i], tick));
            long sent = 0;
            while (clock.Elapsed < window)
            {
                var i = (int)(Interlocked.Increment(ref position) % fleet.Length);
                var tick = stamps.Next();
                var d = fleet[i];
                await publisher.PublishAsync($"city/{d.District}/{d.Type.ToString().ToLowerInvariant()}/{d.Id}/telemetry",
                    Encoding.UTF8.GetBytes(Reading(d, tick, stamps.Format(tick))), i, tick);
                sent++;
            }
            await publisher.DrainAsync(sent, TimeSpan.FromSeconds(30));
            Interlocked.Add(ref published, publisher.Acknowledged);
        })));
        var inWindow = (long)(await StatusAsync(api))["applied"]! - before;
        // Then until the bridge has caught up (or stopped moving for 5 s).
        var drain = Stopwatch.StartNew();
        var (last, still) = (-1L, Stopwatch.StartNew());
        long now;
        while ((now = (long)(await StatusAsync(api))["applied"]! - before) < published && still.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (now != last)
            {
                last = now;
                still.Restart();
            }
            await Task.Delay(100);
        }
        return new PublishResult(published, inWindow, now, drain.Elapsed);
    }

    private static async Task<JsonNode> StatusAsync(HttpClient api) => JsonNode.Parse(await api.GetStringAsync("/api/telemetry/mqtt"))!;

    /// <summary>200 assets spread over the fleet: each must show the newest timestamp that was sent to it and acknowledged.</summary>
    private static async Task<string> VerifyAsync(HttpClient http, Device[] fleet, Stamps stamps, Func<string, string> url)
    {
        var (ok, sample) = (0, 0);
        for (var i = 0; i < fleet.Length; i += Math.Max(1, fleet.Length / 200))
        {
            if (stamps.Last[i] == 0) continue;
            sample++;
            var at = JsonNode.Parse(await http.GetStringAsync(url(fleet[i].Id)))!["telemetryAt"];
            if (at is not null && DateTimeOffset.Parse((string)at!) >= stamps.At(Volatile.Read(ref stamps.Last[i]))) ok++;
        }
        return $"checked: {ok}/{sample} sampled assets show their newest reading";
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private static string BaselineDll() =>
        Path.Combine(Twin.RepoRoot, "load-tests", "CityTwin.Baseline.Ingest", "bin", "Release", "net10.0", "CityTwin.Baseline.Ingest.dll");

    private static async Task<string> StartPostgresAsync()
    {
        var script = Path.Combine(Twin.RepoRoot, ".ci", "start-postgres.sh");
        var info = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var start = output.IndexOf('\'');
        if (process.ExitCode != 0 || start < 0) throw new InvalidOperationException("PostgreSQL did not start: pass --postgres or set CITYTWIN_TEST_POSTGRES");
        return output[(start + 1)..output.LastIndexOf('\'')];
    }
}
