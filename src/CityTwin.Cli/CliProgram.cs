using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CityTwin.Cli;

/// <summary>
/// <c>citytwin scenario run spec.json [--api URL] [--key KEY] [--top N]</c>: submits a spec, draws a progress bar on stderr while
/// it runs, prints the comparison on stdout. <c>citytwin scenario show ID [--api URL] [--top N]</c>: the same for a
/// scenario already submitted. <c>citytwin snapshot save NAME [--source DISTRICT|city] | list | delete NAME</c>: named
/// snapshots for specs' snapshotId. <c>citytwin sweep run sweep.json | sweep show ID</c>: a sweep's progress, then each KPI's
/// mean and 5–95 % band per point. Exit codes: 0 completed (or done), 1 failed or cancelled, 2 usage, 3 refused by the API.
/// </summary>
public static class CliProgram
{
    public const string DefaultApi = "http://localhost:5080";
    public const int Ok = 0, Failed = 1, Usage = 2, Refused = 3;

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler = null,
        CancellationToken cancellationToken = default)
    {
        var positional = new List<string>();
        var api = Environment.GetEnvironmentVariable("CITYTWIN_API") ?? DefaultApi;
        // The key from the environment, so it stays out of shell history and process lists; --key for a one-off.
        var key = Environment.GetEnvironmentVariable("CITYTWIN_API_KEY");
        var top = 5;
        var source = "city";
        var outDir = "sumo";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--api" when i + 1 < args.Length: api = args[++i]; break;
                case "--key" when i + 1 < args.Length: key = args[++i]; break;
                case "--source" when i + 1 < args.Length: source = args[++i]; break;
                case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
                case "--top" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    top = n; i++; break;
                case "-h" or "--help": await stdout.WriteLineAsync(Help); return Ok;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) return await UsageAsync(stderr, $"unknown or incomplete option '{args[i]}'");
                    positional.Add(args[i]);
                    break;
            }
        }
        if (positional is not (["scenario" or "sweep" or "optimise", _, _] or ["sumo", "export", _] or ["snapshot", "list"] or ["snapshot", "save" or "delete", _]))
            return await UsageAsync(stderr, "expected: scenario run SPEC.json | scenario show ID | sweep run SWEEP.json | sweep show ID | optimise run SPEC.json | optimise show|apply|revert ID | sumo export SPEC.json [--out DIR] | snapshot save NAME | snapshot list | snapshot delete NAME");
        if (!Uri.TryCreate(api, UriKind.Absolute, out var baseUri)) return await UsageAsync(stderr, $"--api '{api}' is not an absolute URL");

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = baseUri;
        if (key is { Length: > 0 }) http.DefaultRequestHeaders.Authorization = new("ApiKey", key);
        try
        {
            return positional switch
            {
                ["scenario", "run", var spec] => await RunScenarioAsync(http, spec, top, stdout, stderr, cancellationToken),
                ["scenario", "show", var id] => await ShowAsync(http, id, top, stdout, stderr, progress: false, cancellationToken),
                ["sweep", "run", var spec] => await RunSweepAsync(http, spec, stdout, stderr, cancellationToken),
                ["sweep", "show", var id] => await ShowSweepAsync(http, id, stdout, stderr, progress: false, cancellationToken),
                ["optimise", "run", var spec] => await RunOptimiseAsync(http, spec, stdout, stderr, cancellationToken),
                ["optimise", "show", var id] => await ShowOptimiseAsync(http, id, stdout, stderr, progress: false, cancellationToken),
                ["optimise", "apply" or "revert", var id] => await ChangePlansAsync(http, positional[1], id, stdout, stderr, cancellationToken),
                ["sumo", "export", var spec] => await ExportSumoAsync(http, spec, outDir, stdout, stderr, cancellationToken),
                ["snapshot", "save", var name] => await SaveSnapshotAsync(http, name, source, stdout, stderr, cancellationToken),
                ["snapshot", "list"] => await ListSnapshotsAsync(http, stdout, stderr, cancellationToken),
                ["snapshot", "delete", var name] => await DeleteSnapshotAsync(http, name, stdout, stderr, cancellationToken),
                [var noun, var verb, ..] => await UsageAsync(stderr, $"unknown command '{noun} {verb}'"),
                _ => await UsageAsync(stderr, "expected a command"),
            };
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"citytwin: cannot reach the API at {baseUri}: {e.Message}");
            return Failed;
        }
    }

    private const string Help = """
        citytwin scenario run SPEC.json [--api URL] [--key KEY] [--top N]   submit a what-if scenario, watch it, print the comparison
        citytwin scenario show ID [--api URL] [--key KEY] [--top N]          print a scenario's status and comparison
        citytwin sweep run SWEEP.json [--api URL] [--key KEY]                run a scenario over many seeds / a parameter range; KPI bands
        citytwin sweep show ID [--api URL] [--key KEY]                       print a sweep's status and KPI bands
        citytwin optimise run SPEC.json [--api URL] [--key KEY]              search better signal plans; delay now, Webster's, the best
        citytwin optimise show ID                                            print an optimisation's result and what was applied
        citytwin optimise apply ID | optimise revert ID                     put its best plans on the live junctions (an operator's key), or back
        citytwin sumo export SPEC.json [--out DIR]                           a scenario's network, plans and demand as SUMO files (default ./sumo)
        citytwin snapshot save NAME [--source DISTRICT|city]                 freeze a district (or the city) under a name, for specs' snapshotId
        citytwin snapshot list                                               the saved snapshots
        citytwin snapshot delete NAME                                        delete a saved snapshot
        The API key (an engineer's or an admin's) comes from --key or CITYTWIN_API_KEY; the API from --api or CITYTWIN_API.
        The API defaults to $CITYTWIN_API or http://localhost:5080.
        """;

    private static async Task<int> UsageAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync($"citytwin: {message}");
        await stderr.WriteLineAsync(Help);
        return Usage;
    }

    private static async Task<int> SaveSnapshotAsync(HttpClient http, string name, string source, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var content = new StringContent(new JsonObject { ["name"] = name, ["source"] = source }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/snapshots", content, ct);
        var body = await ReadAsync(response, ct);
        if (response.StatusCode != HttpStatusCode.Created || body is null)
        {
            await WriteProblemAsync(stderr, response, body);
            return Refused;
        }
        await stdout.WriteLineAsync(SnapshotLine(body));
        return Ok;
    }

    private static async Task<int> ListSnapshotsAsync(HttpClient http, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var response = await http.GetAsync("/api/snapshots", ct);
        var body = await ReadAsync(response, ct);
        if (!response.IsSuccessStatusCode || body?["snapshots"] is not JsonArray snapshots)
        {
            await WriteProblemAsync(stderr, response, body);
            return Refused;
        }
        foreach (var snapshot in snapshots) await stdout.WriteLineAsync(SnapshotLine(snapshot!));
        return Ok;
    }

    private static async Task<int> DeleteSnapshotAsync(HttpClient http, string name, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var response = await http.DeleteAsync($"/api/snapshots/{Uri.EscapeDataString(name)}", ct);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            await WriteProblemAsync(stderr, response, await ReadAsync(response, ct));
            return Refused;
        }
        await stdout.WriteLineAsync($"deleted {name}");
        return Ok;
    }

    private static string SnapshotLine(JsonNode s) =>
        $"{(string?)s["name"],-24} of {(string?)s["source"],-10} taken {(string?)s["takenAt"]}  {(int?)s["assets"]:N0} assets ({(int?)s["intersections"]:N0} intersections, {(int?)s["cameras"]:N0} cameras, {(int?)s["poles"]:N0} poles, {(int?)s["links"]:N0} links)";

    private static async Task<int> RunScenarioAsync(HttpClient http, string path, int top, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var (id, code) = await SubmitAsync(http, path, "/api/scenarios", "scenario", stderr, ct);
        return id is null ? code : await ShowAsync(http, id, top, stdout, stderr, progress: true, ct);
    }

    private static async Task<int> ShowAsync(HttpClient http, string id, int top, TextWriter stdout, TextWriter stderr, bool progress, CancellationToken ct)
    {
        var location = $"/api/scenarios/{Uri.EscapeDataString(id)}";
        if (await WatchAsync(http, location, progress, _ => "", 100, stderr, ct) is not { } view) return Refused;
        var finalStatus = (string?)view["status"];
        await stdout.WriteLineAsync($"scenario {id}  {(string?)view["name"]}  {finalStatus}");
        if (finalStatus != "completed")
        {
            if ((string?)view["error"] is { } error) await stdout.WriteLineAsync($"error: {error}");
            return finalStatus is "failed" or "cancelled" ? Failed : Ok;
        }
        using var compareResponse = await http.GetAsync($"{location}/compare?top={top}", ct);
        var compare = await ReadAsync(compareResponse, ct);
        if (!compareResponse.IsSuccessStatusCode || compare is null)
        {
            await WriteProblemAsync(stderr, compareResponse, compare);
            return Failed;
        }
        await stdout.WriteAsync(Table(compare));
        return Ok;
    }

    private static async Task<int> RunSweepAsync(HttpClient http, string path, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var (id, code) = await SubmitAsync(http, path, "/api/sweeps", "sweep", stderr, ct);
        return id is null ? code : await ShowSweepAsync(http, id, stdout, stderr, progress: true, ct);
    }

    private static async Task<int> ShowSweepAsync(HttpClient http, string id, TextWriter stdout, TextWriter stderr, bool progress, CancellationToken ct)
    {
        var view = await WatchAsync(http, $"/api/sweeps/{Uri.EscapeDataString(id)}", progress,
            v => $"{(int?)v["result"]?["completed"]}/{(int?)v["runs"]} runs", 200, stderr, ct);
        if (view is null) return Refused;
        var finalStatus = (string?)view["status"];
        await stdout.WriteLineAsync($"sweep {id}  {(string?)view["name"]}  {finalStatus}");
        if ((string?)view["error"] is { } error) await stdout.WriteLineAsync($"error: {error}");
        await stdout.WriteAsync(SweepTable(view));
        return finalStatus is "failed" or "cancelled" ? Failed : Ok;
    }

    /// <summary>Runs per silo, the notes, then each point's KPIs: mean [5 %, 95 %] for baseline, variant and their difference.</summary>
    public static string SweepTable(JsonNode view)
    {
        var s = new StringBuilder();
        var silos = view["runsBySilo"]?.AsObject().Select(p => $"{p.Key}: {(int?)p.Value}") ?? [];
        s.AppendLine(CultureInfo.InvariantCulture, $"runs: {(int?)view["result"]?["completed"]} completed, {(int?)view["result"]?["failed"]} failed of {(int?)view["runs"]} ({string.Join(", ", silos)})");
        foreach (var note in view["result"]?["notes"]?.AsArray() ?? []) s.AppendLine(CultureInfo.InvariantCulture, $"note: {(string?)note}");
        var parameter = (string?)view["result"]?["parameter"];
        foreach (var point in view["result"]?["points"]?.AsArray() ?? [])
        {
            s.AppendLine();
            var label = parameter is null ? "all runs" : $"{parameter} = {N(point!["value"], "0.###")}";
            s.AppendLine(CultureInfo.InvariantCulture, $"{label} ({(int?)point!["completed"]} runs)   mean [5 %, 95 %]");
            s.AppendLine(CultureInfo.InvariantCulture, $"{"",-22} {"baseline",26} {"variant",26} {"delta",26}");
            foreach (var (field, labelOf, format) in SweepKpis)
            {
                if (point["kpis"]?.AsArray().FirstOrDefault(k => (string?)k!["kpi"] == field) is not { } kpi) continue;
                string Band(JsonNode? b, bool signed) => b is null ? "-" : $"{(signed ? Signed(b["mean"], format) : N(b["mean"], format))} [{N(b["p5"], format)}, {N(b["p95"], format)}]";
                s.AppendLine(CultureInfo.InvariantCulture, $"{labelOf,-22} {Band(kpi["baseline"], false),26} {Band(kpi["variant"], false),26} {Band(kpi["delta"], true),26}");
            }
        }
        return s.ToString();
    }

    private static async Task<int> ExportSumoAsync(HttpClient http, string path, string outDir, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (await ReadSpecAsync(path, stderr, ct) is not { } content) return Usage;
        using var response = await http.PostAsync("/api/exports/sumo", content, ct);
        if (!response.IsSuccessStatusCode)
        {
            await WriteProblemAsync(stderr, response, await ReadAsync(response, ct));
            return Refused;
        }
        Directory.CreateDirectory(outDir);
        await using (var zip = await response.Content.ReadAsStreamAsync(ct))
            await System.IO.Compression.ZipFile.ExtractToDirectoryAsync(zip, outDir, overwriteFiles: true, ct);
        foreach (var file in Directory.GetFiles(outDir, "citytwin.*").Order(StringComparer.Ordinal)) await stdout.WriteLineAsync(file);
        await stdout.WriteLineAsync($"run: cd {outDir} && netconvert -c citytwin.netccfg && sumo -c citytwin.sumocfg   (Debian: apt-get install sumo)");
        return Ok;
    }

    private static async Task<int> RunOptimiseAsync(HttpClient http, string path, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var (id, code) = await SubmitAsync(http, path, "/api/optimisations", "optimisation", stderr, ct);
        return id is null ? code : await ShowOptimiseAsync(http, id, stdout, stderr, progress: true, ct);
    }

    private static async Task<int> ShowOptimiseAsync(HttpClient http, string id, TextWriter stdout, TextWriter stderr, bool progress, CancellationToken ct)
    {
        if (await WatchAsync(http, $"/api/optimisations/{Uri.EscapeDataString(id)}", progress, _ => "", 200, stderr, ct) is not { } view) return Refused;
        await stdout.WriteAsync(OptimiseTable(view));
        return (string?)view["status"] == "completed" ? Ok : Failed;
    }

    private static async Task<int> ChangePlansAsync(HttpClient http, string verb, string id, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var response = await http.PostAsync($"/api/optimisations/{Uri.EscapeDataString(id)}/{verb}", null, ct);
        var body = await ReadAsync(response, ct);
        if (!response.IsSuccessStatusCode || body is null)
        {
            await WriteProblemAsync(stderr, response, body);
            return Refused;
        }
        await stdout.WriteAsync(OptimiseTable(body));
        return Ok;
    }

    /// <summary>The delay under the current, Webster's and the best plans, the check on other seeds, each junction's plans, and what was applied.</summary>
    public static string OptimiseTable(JsonNode view)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"optimisation {(string?)view["id"]}  {(string?)view["name"]}  {(string?)view["status"]}  plans: {(string?)view["plans"]}");
        if ((string?)view["error"] is { } error) s.AppendLine(CultureInfo.InvariantCulture, $"error: {error}");
        if (view["result"] is not { } r) return s.ToString();
        foreach (var note in r["notes"]?.AsArray() ?? []) s.AppendLine(CultureInfo.InvariantCulture, $"note: {(string?)note}");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"mean delay at the junctions (s/veh): current {N(r["currentDelaySeconds"], "0.0")}, Webster {N(r["websterDelaySeconds"], "0.0")}, best {N(r["bestDelaySeconds"], "0.0")} — saved {N(r["delaySavedSeconds"], "0.0")} s ({(double?)r["delaySavedShare"]:P0}) in {(int?)r["evaluations"]} simulations");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"saved on 3 seeds the search never saw (s/veh): {string.Join(", ", (r["checkSeedsDelaySavedSeconds"]?.AsArray() ?? []).Select(v => Signed(v, "0.0")))}");
        s.AppendLine(CultureInfo.InvariantCulture, $"{"junction",-12} {"flow N/E/S/W (veh/h)",-24} {"current",-22} {"best",-22} {"delay now",10} {"best",8}");
        foreach (var p in r["plans"]?.AsArray() ?? [])
        {
            static string Plan(JsonNode? plan) => plan is null ? "-" :
                $"{N(plan["cycleSeconds"], "0")} s: " + string.Join("/", (plan["phases"]?.AsArray() ?? []).Select(ph => N(ph!["greenSeconds"], "0.#")));
            var flows = string.Join("/", (p!["approachFlowVehPerHour"]?.AsArray() ?? []).Select(f => N(f, "0")));
            s.AppendLine(CultureInfo.InvariantCulture, $"{(string?)p["intersectionId"],-12} {flows,-24} {Plan(p["current"]),-22} {Plan(p["best"]),-22} {N(p["currentDelaySeconds"], "0.0"),10} {N(p["bestDelaySeconds"], "0.0"),8}");
        }
        foreach (var c in view["changes"]?.AsArray() ?? [])
            s.AppendLine(CultureInfo.InvariantCulture, $"{(string?)c!["action"]} at {(string?)c["at"]} by {(string?)c["by"]}: {string.Join(", ", (c["intersections"]?.AsArray() ?? []).Select(i => (string?)i!["intersectionId"]))}");
        return s.ToString();
    }

    private static readonly (string Field, string Label, string Format)[] SweepKpis =
    [
        ("meanDelaySeconds", "mean delay (s)", "0.0"),
        ("maxQueueVehicles", "max queue (veh)", "0.0"),
        ("throughput", "throughput (veh)", "0"),
        ("tripsCompleted", "trips completed", "0"),
        ("meanTimeLossSeconds", "time loss/trip (s)", "0.0"),
        ("maxAssetsOffline", "max assets offline", "0"),
        ("energyKWh", "energy (kWh)", "0.0"),
    ];

    private static async Task<StringContent?> ReadSpecAsync(string path, TextWriter stderr, CancellationToken ct)
    {
        if (File.Exists(path)) return new StringContent(await File.ReadAllTextAsync(path, ct), Encoding.UTF8, "application/json");
        await stderr.WriteLineAsync($"citytwin: no such file '{path}'");
        return null;
    }

    /// <summary>POSTs a spec file to <paramref name="endpoint"/>; the new job's id on 202, else null and the exit code (the problem written to stderr).</summary>
    private static async Task<(string? Id, int Code)> SubmitAsync(HttpClient http, string path, string endpoint, string noun, TextWriter stderr, CancellationToken ct)
    {
        using var content = await ReadSpecAsync(path, stderr, ct);
        if (content is null) return (null, Usage);
        using var response = await http.PostAsync(endpoint, content, ct);
        var body = await ReadAsync(response, ct);
        if (response.StatusCode != HttpStatusCode.Accepted || (string?)body?["id"] is not { } id)
        {
            await WriteProblemAsync(stderr, response, body);
            return (null, Refused);
        }
        await stderr.WriteLineAsync($"{noun} {id} submitted");
        return (id, Ok);
    }

    /// <summary>
    /// GETs a job until it is done — drawing a progress bar and <paramref name="detail"/> on stderr when
    /// <paramref name="progress"/>, else once; the last view, or null after a refusal (written to stderr).
    /// </summary>
    private static async Task<JsonNode?> WatchAsync(HttpClient http, string location, bool progress, Func<JsonNode, string> detail, int pollMs,
        TextWriter stderr, CancellationToken ct)
    {
        while (true)
        {
            using var response = await http.GetAsync(location, ct);
            var view = await ReadAsync(response, ct);
            if (!response.IsSuccessStatusCode || view is null)
            {
                await WriteProblemAsync(stderr, response, view);
                return null;
            }
            var status = (string?)view["status"];
            var done = status is "completed" or "failed" or "cancelled";
            if (progress) await stderr.WriteAsync("\r" + Bar(done && status == "completed" ? 1 : (double?)view["progress"] ?? 0) + $" {status,-9} {detail(view)}" + (done ? "\n" : ""));
            if (!progress || done) return view;
            await Task.Delay(pollMs, ct);
        }
    }

    private static readonly (string Field, string Label, string Format)[] Kpis =
    [
        ("meanDelaySeconds", "mean delay (s)", "0.0"),
        ("maxQueueVehicles", "max queue (veh)", "0.0"),
        ("throughput", "throughput (veh)", "0"),
        ("maxAssetsOffline", "max assets offline", "0"),
        ("energyKWh", "energy (kWh)", "0.0"),
        ("maxCamerasWithoutFeed", "max cameras w/o feed", "0"),
        ("linkAvailability", "link availability", "0.000"),
    ];

    /// <summary>The city's KPIs baseline / variant / delta, then the districts and intersections whose delay grew most.</summary>
    public static string Table(JsonNode compare)
    {
        var s = new StringBuilder();
        // First, so that a table of zeros is never read without its reason.
        foreach (var note in compare["notes"]?.AsArray() ?? []) s.AppendLine(CultureInfo.InvariantCulture, $"note: {(string?)note}");
        if (compare["demandFit"] is { } fit)
            s.AppendLine(CultureInfo.InvariantCulture,
                $"demand from the twin: {(int?)fit["camerasCounted"]} cameras on {(int?)fit["countedApproaches"]} approaches, {(int?)fit["intersectionsCounted"]} intersection flows; GEH < 5 on {(double?)fit["shareGehBelow5"]:P0} (the synthetic prior: {(double?)fit["priorShareGehBelow5"]:P0}); {(double?)fit["priorTripsPerHour"]:N0} → {(double?)fit["estimatedTripsPerHour"]:N0} trips/h");
        if (compare["notes"]?.AsArray().Count > 0 || compare["demandFit"] is not null) s.AppendLine();
        var city = compare["city"]!;
        s.AppendLine(CultureInfo.InvariantCulture, $"{"city",-22} {"baseline",12} {"variant",12} {"delta",12}");
        foreach (var (field, label, format) in Kpis)
            s.AppendLine(CultureInfo.InvariantCulture, $"{label,-22} {N(city["baseline"]?[field], format),12} {N(city["variant"]?[field], format),12} {Signed(city["delta"]?[field], format),12}");
        if (compare["trips"] is { } trips)
            s.AppendLine(CultureInfo.InvariantCulture, $"{"time loss/trip (s)",-22} {N(trips["baselineMeanTimeLossSeconds"], "0.0"),12} {N(trips["variantMeanTimeLossSeconds"], "0.0"),12} {Signed(Diff(trips["variantMeanTimeLossSeconds"], trips["baselineMeanTimeLossSeconds"]), "0.0"),12}");

        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"{"district (worst delay)",-22} {"delay base",12} {"delay var",12} {"delta",12}");
        foreach (var d in compare["districts"]?.AsArray() ?? [])
            s.AppendLine(CultureInfo.InvariantCulture, $"{(string?)d!["id"],-22} {N(d["baseline"]?["meanDelaySeconds"], "0.0"),12} {N(d["variant"]?["meanDelaySeconds"], "0.0"),12} {Signed(d["delta"]?["meanDelaySeconds"], "0.0"),12}");

        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"{"intersection (worst)",-22} {"delay base",12} {"delay var",12} {"delta",12}");
        foreach (var i in compare["intersections"]?.AsArray() ?? [])
            s.AppendLine(CultureInfo.InvariantCulture, $"{(string?)i!["id"],-22} {N(i["baseline"]?["meanDelaySeconds"], "0.0"),12} {N(i["variant"]?["meanDelaySeconds"], "0.0"),12} {Signed(i["delayDeltaSeconds"], "0.0"),12}");
        return s.ToString();
    }

    private static JsonNode? Diff(JsonNode? a, JsonNode? b) => a is null || b is null ? null : JsonValue.Create((double)a - (double)b);

    private static string N(JsonNode? v, string format) => v is null ? "-" : ((double)v).ToString(format, CultureInfo.InvariantCulture);

    private static string Signed(JsonNode? v, string format) => v is null ? "-" : ((double)v).ToString("+" + format + ";-" + format + ";" + format, CultureInfo.InvariantCulture);

    private static string Bar(double fraction)
    {
        const int width = 30;
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        return "[" + new string('#', filled) + new string('.', width - filled) + "] " + (fraction * 100).ToString("0", CultureInfo.InvariantCulture).PadLeft(3) + " %";
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try { return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static async Task WriteProblemAsync(TextWriter stderr, HttpResponseMessage response, JsonNode? problem)
    {
        await stderr.WriteLineAsync($"citytwin: {(int)response.StatusCode} {(string?)problem?["title"] ?? response.ReasonPhrase}");
        if ((string?)problem?["detail"] is { } detail) await stderr.WriteLineAsync("  " + detail);
        foreach (var e in problem?["errors"]?.AsArray() ?? [])
            await stderr.WriteLineAsync($"  {(string?)e!["field"]}: {(string?)e["message"]}");
    }
}
