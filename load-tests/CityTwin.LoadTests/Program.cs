using CityTwin.LoadTests;

// Usage: load-tests/run.sh [--assets N] [--rate R] [--seconds S] [--data DIR (keep the imported city; reuse it next time)]
//        load-tests/run.sh failover [--runs 5] [--assets 1000] [--postgres "Host=…"]  (default: $CITYTWIN_TEST_POSTGRES, else SQLite)
//        load-tests/run.sh scrape [--assets 1000000]
// CITYTWIN_BENCH_HOLD=S keeps the silo with every asset active for S seconds (to take a dotnet-gcdump of it).
var rows = new List<string> { "| figure | measured | goal |", "|---|---|---|" };
var name = args.FirstOrDefault() is "failover" or "scrape" ? args[0] : "foundation";
if (name == "failover")
{
    var postgres = Text("--postgres") ?? Environment.GetEnvironmentVariable("CITYTWIN_TEST_POSTGRES");
    rows.AddRange(await FailoverBenchmark.RunAsync(Option("--runs", 5), Option("--assets", 1_000), string.IsNullOrEmpty(postgres) ? null : postgres));
}
else if (name == "scrape")
{
    rows.AddRange(await ScrapeBenchmark.RunAsync(Option("--assets", 1_000_000)));
}
else
{
    rows.AddRange(await FoundationBenchmark.RunAsync(Option("--assets", 100_000), Option("--rate", 2_000), TimeSpan.FromSeconds(Option("--seconds", 30)), Text("--data")));
}

var results = Path.Combine(Twin.RepoRoot, "load-tests", "results");
Directory.CreateDirectory(results);
var file = Path.Combine(results, $"{name}.md");
await File.WriteAllLinesAsync(file, [$"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores", "", .. rows]);
Console.WriteLine();
rows.ForEach(Console.WriteLine);
Console.WriteLine($"\nwritten to {file}");

string? Text(string option)
{
    var i = Array.IndexOf(args, option);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Option(string option, int fallback) => Text(option) is { } value ? int.Parse(value) : fallback;
