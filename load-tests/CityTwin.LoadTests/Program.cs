using CityTwin.LoadTests;

// Usage: load-tests/run.sh [suite] [options]
//   foundation (default)  [--assets N] [--rate R] [--seconds S] [--data DIR (keep the imported city; reuse it next time)]
//                         CITYTWIN_BENCH_HOLD=S keeps the silo with every asset active for S seconds (for a dotnet-gcdump).
//   cascades              [--repetitions N] [--seconds S]: cascade latency on the real processes, stream throughput in-process.
//   models                [--repeats N]: the Domain models (traffic, scenario fork), in process, one thread.
//   scenarios             [--runs N]: scenario API round trip (POST → results) for a 1,024-intersection district, on the real processes.
var suite = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "foundation";
var header = $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores";
var rows = new List<string> { "| figure | measured | goal |", "|---|---|---|" };
switch (suite)
{
    case "foundation":
        var data = Array.IndexOf(args, "--data") is var d and >= 0 ? args[d + 1] : null;
        rows.AddRange(await FoundationBenchmark.RunAsync(Option("--assets", 100_000), Option("--rate", 2_000), TimeSpan.FromSeconds(Option("--seconds", 30)), data));
        break;
    case "cascades":
        if (Option("--repetitions", 20) > 0) rows.AddRange(await CascadeBenchmark.RunAsync(Option("--repetitions", 20)));
        rows.AddRange(await StreamBenchmark.RunAsync(TimeSpan.FromSeconds(Option("--seconds", 30))));
        break;
    case "models":
        rows = ModelsBenchmark.Run(Option("--repeats", 21));
        header += $" (one thread used), .NET {Environment.Version}";
        break;
    case "scenarios":
        rows.AddRange(await ScenarioBenchmark.RunAsync(Option("--runs", 20)));
        break;
    default:
        Console.Error.WriteLine($"unknown suite '{suite}': foundation, cascades, models or scenarios");
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

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
