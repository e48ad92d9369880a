using CityTwin.LoadTests;

// Usage: load-tests/run.sh [suite] [options]
//   foundation (default)  [--assets N] [--rate R] [--seconds S] [--data DIR (keep the imported city; reuse it next time)]
//                         CITYTWIN_BENCH_HOLD=S keeps the silo with every asset active for S seconds (for a dotnet-gcdump).
//   cascades              [--repetitions N] [--seconds S]: cascade latency on the real processes, stream throughput in-process.
//   alarms                [--assets 10000]: alarms an operator must handle (root-cause groups vs the flat list) for a link cut,
//                         a feeder outage and a controller fault on a generated city, on the real processes.
//   models                [--repeats N]: the Domain models (traffic, scenario fork), in process, one thread.
//   failover              [--runs 5] [--assets 1000] [--postgres "Host=…"]  (default: $CITYTWIN_TEST_POSTGRES, else SQLite)
//                         [--trace DIR]: per run, every survivor read (time from the kill, latency, directory owner), each
//                         killed grain's recovery, and timestamped Orleans logs of the processes (the API's: every message
//                         with its gateway), in DIR/runN. [--bin DIR]: measure another build (DIR/CityTwin.Silo/,
//                         DIR/CityTwin.Api/: their Release output), e.g. a baseline beside this one.
//   scrape                [--assets 1000000]: /metrics series and scrape time on a big silo.
//   scenarios             [--runs N]: scenario API round trip (POST → results) for a 1,024-intersection district, on the real processes.
//   sumo                  the traffic model against SUMO (Debian's sumo) on the exported 10 × 10 grid: levels, perturbations, speed.
//   optimise              [--evaluations 60]: signal-plan search on a corridor of 8 junctions of that district, in process.
//   sweeps                [--seeds 10]: 10 demand levels × N seeds of that district as one sweep, on one silo then two, vs one run alone.
//   queries               [--assets 1000000] [--rate 5000] [--seconds 30] [--idle S]: GET by id, bbox, near, /api/stats, read-model
//                         staleness on a big city. --idle S: assets deactivate after S seconds idle, and the loads start once
//                         the imported city has had S + 90 s to go idle (the steady state of a city that mostly idles).
//                         --restarted: the silo and the API are killed after the import and started again on the same file:
//                         the loads meet a silo holding the read model and only the asset grains they ask for.
//   restart               [--assets 1000000] [--postgres]: a big city's silo killed and started again on its database (SQLite;
//                         with --postgres also on a throwaway PostgreSQL server): time until healthy, until the read model
//                         counts every asset, until sampled assets and a whole export match what they were; memory.
//                         [--trace DIR]: dotnet-trace samples of the silo and the API while the export activates the city.
//                         [--only postgres]: PostgreSQL alone.
//   od                    [--seeds 20]: OD estimation from counts on a known ground truth (grid light / near saturation, a
//                         1,024-intersection city): GEH < 5 share, total vs truth, time.
//   feed                  [--assets 10000] [--subscribers 100] [--rate 200] [--seconds 30]: live feed (SSE) latency, POST → each subscriber.
//   ingest                [--assets 100000] [--batch 2000] [--seconds 20] [--postgres "Host=…"]: readings/s into the grains through
//                         POST /api/telemetry and MQTT (mosquitto), beside a minimal API + PostgreSQL baseline.
//                         [--trace DIR]: dotnet-trace samples of the silo and the API during the HTTP window, summarised
//                         by stage (parse, routing, grain turns, rules, storage, change events, GC); [--only http|mqtt]: that
//                         path alone, no baseline (no ratio: for working on one path); --trace needs
//                         `dotnet tool install -g dotnet-trace`. `profile FILE.nettrace… [--top N] [--callers M]` summarises
//                         traces again; `--allocations N`: the N types (and allocating methods) allocated most, from a
//                         trace taken with `dotnet-trace collect --profile gc-verbose`.
//   auth                  [--assets 100000] [--rate 2000] [--seconds 20] [--rounds 3]: GET by id with an API key vs authentication
//                         off (a second API process in Development), in turn on the same silo: what checking a key costs.
//   fuzz                  [--requests 50000] [--assets 2000] [--seed 15] [--minutes 20]: seeded hostile requests over every endpoint
//                         (API in Development, loopback): no 5xx, every 4xx a problem, no state change from a refused request.
//   console               [--assets 100000] [--moves 100] [--rate 1000] [--seconds 60] [--faults 0] [--profile DIR]: the console in headless chromium
//                         (/usr/bin/chromium) with every asset in one view: sign-in → all points drawn, reload → drawn,
//                         pan/zoom frame times, a feed of --rate changes/s (lag to the draw, drops, longest task);
//                         --profile: the moves again, and the feed, under V8's profiler and a Chromium trace (summarised,
//                         files in DIR; the feed's figures then include the profiler's overhead).
//   screenshots           [--assets 10000] [--out docs/images]: the README's console pictures (the city with a link cut; the
//                         what-if view after the link-down example), in headless chromium; writes PNGs, no results.
var suite = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "foundation";
var header = $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores";
var rows = new List<string> { "| figure | measured | goal |", "|---|---|---|" };
switch (suite)
{
    case "foundation":
        rows.AddRange(await FoundationBenchmark.RunAsync(Option("--assets", 100_000), Option("--rate", 2_000), TimeSpan.FromSeconds(Option("--seconds", 30)), Text("--data")));
        break;
    case "cascades":
        if (Option("--repetitions", 20) > 0) rows.AddRange(await CascadeBenchmark.RunAsync(Option("--repetitions", 20)));
        rows.AddRange(await StreamBenchmark.RunAsync(TimeSpan.FromSeconds(Option("--seconds", 30))));
        break;
    case "alarms":
        rows.AddRange(await AlarmBenchmark.RunAsync(Option("--assets", 10_000)));
        break;
    case "od":
        rows = OdBenchmark.Run(Option("--seeds", 20));
        break;
    case "models":
        rows = ModelsBenchmark.Run(Option("--repeats", 21));
        header += $" (one thread used), .NET {Environment.Version}";
        break;
    case "failover":
        var postgres = Text("--postgres") ?? Environment.GetEnvironmentVariable("CITYTWIN_TEST_POSTGRES");
        rows.AddRange(await FailoverBenchmark.RunAsync(Option("--runs", 5), Option("--assets", 1_000), string.IsNullOrEmpty(postgres) ? null : postgres, Text("--trace"), Text("--bin")));
        break;
    case "soak":
        var soakPostgres = Text("--postgres") ?? Environment.GetEnvironmentVariable("CITYTWIN_TEST_POSTGRES");
        rows.AddRange(await SoakBenchmark.RunAsync(TimeSpan.FromMinutes(Option("--minutes", 30)), TimeSpan.FromMinutes(Option("--kill-every", 5)),
            Option("--rate", 2_000), string.IsNullOrEmpty(soakPostgres) ? null : soakPostgres));
        break;
    case "outage":
        rows.AddRange(await OutageBenchmark.RunAsync(Option("--runs", 3), TimeSpan.FromSeconds(Option("--seconds", 30)), Option("--assets", 1_000)));
        break;
    case "scrape":
        rows.AddRange(await ScrapeBenchmark.RunAsync(Option("--assets", 1_000_000)));
        break;
    case "scenarios":
        rows.AddRange(await ScenarioBenchmark.RunAsync(Option("--runs", 20)));
        break;
    case "sumo":
        rows.AddRange(await SumoBenchmark.RunAsync(Option("--seeds", 3)));
        break;
    case "optimise":
        rows.AddRange(await OptimiseBenchmark.RunAsync(Option("--evaluations", 60)));
        break;
    case "sweeps":
        rows.AddRange(await SweepBenchmark.RunAsync(Option("--seeds", 10)));
        break;
    case "restart":
        rows.AddRange(await RestartBenchmark.RunAsync(Option("--assets", 1_000_000), args.Contains("--postgres") || Text("--only") == "postgres",
            Text("--only") != "postgres", Text("--trace")));
        break;
    case "queries":
        rows.AddRange(await QueryBenchmark.RunAsync(Option("--assets", 1_000_000), Option("--rate", 5_000), TimeSpan.FromSeconds(Option("--seconds", 30)),
            Text("--idle") is { } idle ? TimeSpan.FromSeconds(int.Parse(idle)) : null, args.Contains("--restarted"), Text("--trace")));
        break;
    case "feed":
        rows.AddRange(await FeedBenchmark.RunAsync(Option("--assets", 10_000), Option("--subscribers", 100), Option("--rate", 200), TimeSpan.FromSeconds(Option("--seconds", 30))));
        break;
    case "ingest":
        var ingestPostgres = Text("--postgres") ?? Environment.GetEnvironmentVariable("CITYTWIN_TEST_POSTGRES");
        rows.AddRange(await IngestBenchmark.RunAsync(Option("--assets", 100_000), Option("--batch", 2_000), TimeSpan.FromSeconds(Option("--seconds", 20)),
            string.IsNullOrEmpty(ingestPostgres) ? null : ingestPostgres, Text("--trace"), Text("--only")));
        break;
    case "auth":
        rows.AddRange(await AuthBenchmark.RunAsync(Option("--assets", 100_000), Option("--rate", 2_000), TimeSpan.FromSeconds(Option("--seconds", 20)), Option("--rounds", 3)));
        break;
    case "console":
        rows.AddRange(await ConsoleBenchmark.RunAsync(Option("--assets", 100_000), Option("--moves", 100), Option("--rate", 1_000), TimeSpan.FromSeconds(Option("--seconds", 60)), Option("--faults", 0), Text("--profile")));
        break;
    case "screenshots":
        await ReadmeScreenshots.RunAsync(Option("--assets", 10_000), Text("--out") ?? Path.Combine(Twin.RepoRoot, "docs", "images"));
        return 0;
    case "profile":
        foreach (var trace in args.Skip(1).Where(a => a.EndsWith(".nettrace", StringComparison.Ordinal)))
        {
            Profiler.Summarize(trace, Path.GetFileNameWithoutExtension(trace)).ForEach(Console.WriteLine);
            if (Option("--top", 0) is > 0 and var top) Profiler.Top(trace, top).ForEach(Console.WriteLine);
            if (Text("--callers") is { } callee) Profiler.Callers(trace, callee, Option("--top", 20)).ForEach(Console.WriteLine);
            if (Option("--allocations", 0) is > 0 and var kinds) Profiler.Allocations(trace, kinds).ForEach(Console.WriteLine);
        }
        return 0;
    case "fuzz":
        rows.AddRange(await FuzzBenchmark.RunAsync(Option("--requests", 50_000), Option("--assets", 2_000), Option("--seed", 15), TimeSpan.FromMinutes(Option("--minutes", 20))));
        break;
    default:
        Console.Error.WriteLine($"unknown suite '{suite}': foundation, cascades, alarms, models, od, failover, scrape, scenarios, sweeps, optimise, sumo, queries, feed, ingest, auth, fuzz, console, screenshots or profile");
        return 2;
}

var results = Path.Combine(Twin.RepoRoot, "load-tests", "results");
Directory.CreateDirectory(results);
var file = Path.Combine(results, $"{suite}.md");
await File.WriteAllLinesAsync(file, [header, "", .. rows]);
Console.WriteLine();
rows.ForEach(Console.WriteLine);
Console.WriteLine($"\nwritten to {file}");
return 0;

string? Text(string option)
{
    var i = Array.IndexOf(args, option);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Option(string option, int fallback) => Text(option) is { } value ? int.Parse(value) : fallback;
