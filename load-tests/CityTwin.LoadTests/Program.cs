using CityTwin.LoadTests;

// Usage: load-tests/run.sh [--assets N] [--rate R] [--seconds S] [--data DIR (keep the imported city; reuse it next time)]
// CITYTWIN_BENCH_HOLD=S keeps the silo with every asset active for S seconds (to take a dotnet-gcdump of it).
//        load-tests/run.sh models [--repeats N]: the Domain models (traffic, scenario fork), in process, one thread.
var results = Path.Combine(Twin.RepoRoot, "load-tests", "results");
Directory.CreateDirectory(results);
if (args.FirstOrDefault() == "models")
{
    var table = ModelsBenchmark.Run(Option("--repeats", 21));
    var output = Path.Combine(results, "models.md");
    await File.WriteAllLinesAsync(output, [$"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores (one thread used), .NET {Environment.Version}", "", .. table]);
    Console.WriteLine();
    table.ForEach(Console.WriteLine);
    Console.WriteLine($"\nwritten to {output}");
    return;
}

var assets = Option("--assets", 100_000);
var rate = Option("--rate", 2_000);
var seconds = Option("--seconds", 30);

var rows = new List<string> { "| figure | measured | goal |", "|---|---|---|" };
var data = Array.IndexOf(args, "--data") is var d and >= 0 ? args[d + 1] : null;
rows.AddRange(await FoundationBenchmark.RunAsync(assets, rate, TimeSpan.FromSeconds(seconds), data));

var file = Path.Combine(results, "foundation.md");
await File.WriteAllLinesAsync(file, [$"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores", "", .. rows]);
Console.WriteLine();
rows.ForEach(Console.WriteLine);
Console.WriteLine($"\nwritten to {file}");

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}
