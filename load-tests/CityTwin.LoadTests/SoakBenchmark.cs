using CityTwin.Storage;

namespace CityTwin.LoadTests;

/// <summary>The soak (<see cref="SoakRun"/>), reported minute by minute; PostgreSQL when a server is given, else SQLite.</summary>
public static class SoakBenchmark
{
    public static async Task<List<string>> RunAsync(TimeSpan duration, TimeSpan killEvery, int readingsPerSecond, string? postgres)
    {
        var (storage, cleanup) = postgres is null ? FailoverBenchmark.Sqlite() : await FailoverBenchmark.PostgresAsync(postgres);
        try
        {
            var result = await SoakRun.RunAsync(Dll("CityTwin.Silo"), Dll("CityTwin.Api"), storage, duration, killEvery, readingsPerSecond, log: Console.WriteLine);
            var store = postgres is null ? "SQLite" : "PostgreSQL";
            var rows = new List<string>
            {
                $"Soak on {store}: {duration.TotalMinutes:0} min, telemetry at {readingsPerSecond:N0} readings/s, 4 status writers, reads at 50/s, 5 feed subscribers, " +
                $"a link cut or repaired each minute, a scenario every 5 min, silo-2 killed (SIGKILL) and restarted every {killEvery.TotalMinutes:0} min ({result.Kills} kills).",
                "",
                "| minute | readings applied | answers by status (0 = none) | 5xx other than 503 | read p99 | resident memory: API / silo-1 / silo-2 | managed heap after GC | GC committed | activations: silo-1 / silo-2 | metric series |",
                "|---|---|---|---|---|---|---|---|---|---|",
            };
            foreach (var m in result.Minutes)
                rows.Add($"| {m.Index} | {m.ReadingsApplied:N0} | {string.Join(", ", m.Answers.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value:N0}"))} | {m.ServerErrors()} | {m.ReadP99:0} ms | " +
                         $"{Mb(m.MemoryBytes, "api")} / {Mb(m.MemoryBytes, "silo-1")} / {Mb(m.MemoryBytes, "silo-2")} | {Mb(m.HeapBytes, "api")} / {Mb(m.HeapBytes, "silo-1")} / {Mb(m.HeapBytes, "silo-2")} | " +
                         $"{Mb(m.CommittedBytes, "api")} / {Mb(m.CommittedBytes, "silo-1")} / {Mb(m.CommittedBytes, "silo-2")} | " +
                         $"{N(m.Activations, "silo-1")} / {N(m.Activations, "silo-2")} | {N(m.Series, "api")} / {N(m.Series, "silo-1")} / {N(m.Series, "silo-2")} |");
            var errors = result.Minutes.Sum(m => m.ServerErrors());
            var answers = result.Minutes.Sum(m => m.Answers.Values.Sum());
            rows.Add("");
            rows.Add($"| figure | measured | goal |");
            rows.Add($"|---|---|---|");
            rows.Add($"| Soak, {duration.TotalMinutes:0} min on {store}, {result.Kills} silo kills | **{result.Lost.Count} lost** of {result.AckedPoles:N0} poles' acknowledged status changes; 5xx other than 503: {errors} of {answers:N0} answers ({100.0 * errors / Math.Max(1, answers):0.00} %); " +
                     $"resident memory, last full minute ÷ minute {result.WarmUpMinutes} (warm-up: until the first kill was absorbed): API {result.MemoryGrowth("api"):0.00}×, silo-1 (never killed) {result.MemoryGrowth("silo-1"):0.00}× " +
                     $"(managed heap {result.HeapGrowth("api"):0.00}× and {result.HeapGrowth("silo-1"):0.00}×); ÷ minute 1: {result.MemoryGrowth("api", 1):0.00}× and {result.MemoryGrowth("silo-1", 1):0.00}×; " +
                     $"feed {result.FeedEvents:N0} events, {result.FeedGaps:N0} gap notices | " +
                     $"lost 0 {(result.Lost.Count == 0 ? "✅" : "❌")}, memory after warm-up ≤ 1.10× {(result.MemoryGrowth("api") <= 1.1 && result.MemoryGrowth("silo-1") <= 1.1 ? "✅" : "❌")} |");
            rows.AddRange(result.Lost.Take(5).Select(l => $"  lost: {l}"));
            return rows;
        }
        finally
        {
            await cleanup();
        }
    }

    private static string Mb(IReadOnlyDictionary<string, long> bytes, string process) => bytes.TryGetValue(process, out var b) ? $"{b / (1 << 20):N0} MB" : "—";

    private static string N(IReadOnlyDictionary<string, long> counts, string process) => counts.TryGetValue(process, out var n) ? $"{n:N0}" : "—";

    private static string Dll(string project) =>
        Path.Combine(Twin.RepoRoot, "src", project, "bin", "Release", "net10.0", $"{project}.dll");
}
