using System.Diagnostics;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;
using static CityTwin.LoadTests.Goals;

namespace CityTwin.LoadTests;

/// <summary>
/// The long hostile-input fuzz on the real processes (Release silo on SQLite, the API in the Development environment,
/// loopback only): the seeded generator of the end-to-end fuzz (HostileRequests.cs) over every endpoint the API's
/// OpenAPI document lists, in rounds of 10,000 requests with the twin's state captured before and after each round.
/// </summary>
public static class FuzzBenchmark
{
    private const int Round = 10_000;
    private const int Concurrency = 8;
    /// <summary>Import and ingest limits of the fuzzed API: small, so an oversized body is over every endpoint's limit but scenarios' (32 MiB).</summary>
    private const int BodyLimit = 2 << 20;

    public static async Task<List<string>> RunAsync(int requests, int assets, int seed, TimeSpan budget)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-fuzz-").FullName;
        try
        {
            await using var twin = await Twin.StartAsync(data, "--environment=Development", "--Api:RateLimits:Enabled=false", $"--Api:MaxImportBytes={BodyLimit}", $"--Ingest:MaxBodyBytes={BodyLimit}");
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            await twin.ImportAsync(city.Assets);
            var endpoints = HostileRequests.FromOpenApi(JsonNode.Parse(await twin.Http.GetStringAsync("/openapi/v1.json"))!);
            var generator = new HostileRequests(endpoints, HostileRequests.IdsOf(city.Assets), seed, BodyLimit + 1024);
            using var client = Fuzzer.Client(twin.Http, Concurrency);

            var total = new FuzzTally();
            var changedRounds = new List<string>();
            var clock = Stopwatch.StartNew();
            var before = await TwinState.SettledAsync(twin.Http);
            for (var round = 0; total.Sent < requests && clock.Elapsed < budget; round++)
            {
                var tally = await Fuzzer.RunAsync(client, generator, (int)Math.Min(Round, requests - total.Sent), Concurrency, budget - clock.Elapsed);
                var after = await TwinState.SettledAsync(twin.Http);
                if (before.Differences(after).ToList() is { Count: > 0 } changed) changedRounds.Add($"round {round + 1}: {string.Join(", ", changed)}");
                Add(total, tally);
                before = after;
                Console.WriteLine($"{total.Sent:N0} requests, {clock.Elapsed.TotalSeconds:0} s: {total.Statuses()}; {total.Violations.Count} violations; state changed in {changedRounds.Count} rounds");
            }
            var elapsed = clock.Elapsed;
            var refusals = total.ByStatus.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value);
            var rows = new List<string>
            {
                $"| Hostile requests sent (seed {seed}, {Concurrency} senders, {endpoints.Count} endpoints from /openapi/v1.json, {assets:N0}-asset city, API in Development) | **{total.Sent:N0}** in {elapsed.TotalSeconds:0} s ({total.Sent / elapsed.TotalSeconds:N0}/s) | ≥ 50,000 {Mark(total.Sent >= 50_000)} |",
                $"| Answers by status | {total.Statuses()} | — |",
                $"| 5xx answers | **{total.ServerErrors:N0}** | 0 {Mark(total.ServerErrors == 0)} |",
                $"| Other contract breaks (a 4xx that is not a CityTwin problem+json, a connection lost on an ordinary request) | {total.Violations.Count:N0}{(total.Violations.Count > 0 ? ": " + string.Join("; ", total.Violations.Take(5)).Replace("|", "\\|") : "")} | 0 {Mark(total.Violations.Count == 0)} |",
                $"| Rounds of {Round:N0} after which the twin's state differed (stats, export of every asset, scenarios, alarms) | **{changedRounds.Count}**{(changedRounds.Count > 0 ? ": " + string.Join("; ", changedRounds) : "")} | 0 {Mark(changedRounds.Count == 0)} |",
                $"| Refused (4xx) | {refusals:N0} ({100.0 * refusals / Math.Max(1, total.Sent):0.0} %); writes accepted (2xx to a non-GET: /health, /alive and /metrics answer any method; telemetry batches of unknown assets are reported, not applied) {total.AcceptedCount:N0} | — |",
                $"| Connections Kestrel ended under an oversized body or a broken limit (expected) / requests sent again after finding their pooled connection closed | {total.TransportErrors.Values.Sum():N0} / {total.Retried:N0} | — |",
            };
            return rows;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static void Add(FuzzTally total, FuzzTally round)
    {
        total.Sent += round.Sent;
        total.Retried += round.Retried;
        total.AcceptedCount += round.AcceptedCount;
        foreach (var (status, n) in round.ByStatus) total.ByStatus[status] = total.ByStatus.GetValueOrDefault(status) + n;
        foreach (var (kind, n) in round.TransportErrors) total.TransportErrors[kind] = total.TransportErrors.GetValueOrDefault(kind) + n;
        foreach (var v in round.Violations) total.Violation(v);
    }
}
