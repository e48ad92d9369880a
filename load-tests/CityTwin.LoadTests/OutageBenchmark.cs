namespace CityTwin.LoadTests;

/// <summary>PostgreSQL stopped under commands and ingest, then started again (<see cref="OutageRun"/>), a few times.</summary>
public static class OutageBenchmark
{
    public static async Task<List<string>> RunAsync(int runs, TimeSpan outage, int assets)
    {
        var results = new List<OutageResult>();
        for (var run = 1; run <= runs; run++)
        {
            var result = await OutageRun.RunAsync(Dll("CityTwin.Silo"), Dll("CityTwin.Api"), outage, assets, log: Console.WriteLine);
            Console.WriteLine($"run {run}/{runs}: {result}");
            results.Add(result);
        }
        var recoveries = results.Select(r => r.Recovery.TotalSeconds).Order().ToList();
        var answers = results.SelectMany(r => r.Answers).GroupBy(a => a.Key).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no answer" : g.Key)}: {g.Sum(a => a.Value):N0}");
        var other = results.Sum(r => r.ServerErrorsOtherThan503);
        var lost = results.Sum(r => r.Lost.Count);
        return
        [
            $"| Database outage: PostgreSQL stopped for {outage.TotalSeconds:0} s under status changes (8 writers) and telemetry (200 readings every 100 ms), then started; the silo killed afterwards and what it stored read back, {runs} run(s), {assets:N0} assets | " +
            $"answers {string.Join(", ", answers)}; **5xx other than 503: {other}**; 503 without Retry-After: {results.Sum(r => r.ServiceUnavailableWithoutRetryAfter)}; " +
            $"**recovered {string.Join(", ", recoveries.Select(s => $"{s:0.0}"))} s** after the database accepted connections; {results.Sum(r => r.AckedCommands):N0} poles' acknowledged changes and every reading acknowledged up to 3 write-behind windows before the kill checked: **{lost} lost** | " +
            $"5xx other than 503 = 0 {(other == 0 ? "✅" : "❌")}, lost = 0 {(lost == 0 ? "✅" : "❌")}, recovery ≤ 5 s {(recoveries.Max() <= 5 ? "✅" : "❌")} |",
            .. results.SelectMany(r => r.Lost.Take(5)).Select(l => $"  lost: {l}"),
        ];
    }

    private static string Dll(string project) =>
        Path.Combine(Twin.RepoRoot, "src", project, "bin", "Release", "net10.0", $"{project}.dll");
}
