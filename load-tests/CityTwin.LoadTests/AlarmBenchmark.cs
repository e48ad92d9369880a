using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;

namespace CityTwin.LoadTests;

/// <summary>
/// Alarms an operator must handle, on the real processes with a generated city: the busiest LEO link is cut, the
/// busiest feeder loses power, an intersection's controller faults. For each: the active alarms the flat list gains
/// (what the board showed before grouping) against the root-cause groups <c>group=root</c> gains (goal: one), and
/// whether the groups' members plus their root alarms add up to the flat list's count.
/// </summary>
public static class AlarmBenchmark
{
    public static async Task<List<string>> RunAsync(int assets)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-alarms-").FullName;
        try
        {
            await using var twin = await Twin.StartAsync(data);
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            await twin.ImportAsync(city.Assets);
            var http = twin.Http;

            var link = city.Assets.Where(a => a.Dependencies.BackhaulLinkId is not null).GroupBy(a => a.Dependencies.BackhaulLinkId!).MaxBy(g => g.Count())!.Key;
            var feeder = city.Assets.Where(a => a.Dependencies.PowerFeederId is not null).GroupBy(a => (a.District, Feeder: a.Dependencies.PowerFeederId!)).MaxBy(g => g.Count())!.Key;
            var intersection = city.Assets.First(a => a.Type == AssetType.Intersection).Id;

            var rows = new List<string>();
            var results = new List<(string Name, Incident Result)>
            {
                ("LEO link cut", await MeasureAsync(http, $"link {link} down",
                    () => Post(http, $"/api/links/{link}/status", """{"condition":"down"}"""), () => Post(http, $"/api/links/{link}/status", """{"condition":"up"}"""))),
                ("feeder outage", await MeasureAsync(http, $"feeder {feeder.Feeder} off",
                    () => Post(http, $"/api/districts/{feeder.District}/power", $$"""{"on":false,"feeder":"{{feeder.Feeder}}"}"""),
                    () => Post(http, $"/api/districts/{feeder.District}/power", $$"""{"on":true,"feeder":"{{feeder.Feeder}}"}"""))),
                ("controller fault", await MeasureAsync(http, $"controller {intersection} faulted",
                    () => Post(http, $"/api/intersections/{intersection}/controller", """{"fault":true}"""), () => Post(http, $"/api/intersections/{intersection}/controller", """{"fault":false}"""))),
            };
            var detail = string.Join("; ", results.Select(r =>
                $"{r.Name}: **{r.Result.Groups} group{(r.Result.Groups == 1 ? "" : "s")}** vs {r.Result.Flat:N0} flat ({r.Result.Severities}), members + root = flat {(r.Result.Consistent ? "✔" : "✘")}, settled in {r.Result.Settled.TotalSeconds:0.0} s"));
            var goal = results.All(r => r.Result.Groups == 1 && r.Result.Consistent) ? "1 each ✅" : "1 each ❌";
            rows.Add($"| Alarms an operator must handle (`group=root` groups vs the flat list's active alarms), {assets:N0}-asset generated city, one silo | {detail} | {goal} |");
            return rows;
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Incident(int Groups, int Flat, string Severities, bool Consistent, TimeSpan Settled);

    private static async Task<Incident> MeasureAsync(HttpClient http, string what, Func<Task> start, Func<Task> end)
    {
        var (flatBefore, groupsBefore) = await BoardAsync(http);
        var clock = Stopwatch.StartNew();
        await start();
        // Settled: the flat count and the groups unchanged for a second.
        var (flat, groups) = await SettleAsync(http);
        var settled = clock.Elapsed - TimeSpan.FromSeconds(1);
        var added = groups.Where(g => !groupsBefore.ContainsKey(g.Key)).ToList();
        var flatAdded = flat.Total - flatBefore.Total;
        var inGroups = added.Sum(g => g.Value);
        var severities = string.Join(", ", flat.BySeverity.Reverse().Where(s => s.Value - flatBefore.BySeverity[s.Key] > 0)
            .Select(s => $"{s.Value - flatBefore.BySeverity[s.Key]:N0} {s.Key}"));
        Console.WriteLine($"{what}: {added.Count} new group(s) [{string.Join(", ", added.Select(g => $"{g.Key}: {g.Value}"))}], flat +{flatAdded} ({severities}), {settled.TotalSeconds:0.0} s");
        await end();
        await SettleAsync(http);
        return new Incident(added.Count, flatAdded, severities, inGroups == flatAdded, settled);
    }

    private sealed record Flat(int Total, Dictionary<string, int> BySeverity);

    /// <summary>The flat list's active counts, and each active group's alarms (its root alarm and members).</summary>
    private static async Task<(Flat Flat, Dictionary<string, int> Groups)> BoardAsync(HttpClient http)
    {
        var flat = (await http.GetFromJsonAsync<JsonNode>("/api/alarms?active=true&limit=1"))!["active"]!.AsObject()
            .ToDictionary(p => p.Key, p => (int)p.Value!);
        var groups = (await http.GetFromJsonAsync<JsonNode>("/api/alarms?group=root&active=true&limit=1000"))!["groups"]!.AsArray()
            .ToDictionary(g => (string)g!["root"]!, g => (int)g!["members"]! + (g["alarm"] is null ? 0 : 1));
        return (new Flat(flat.Values.Sum(), flat), groups);
    }

    private static async Task<(Flat, Dictionary<string, int>)> SettleAsync(HttpClient http)
    {
        var last = await BoardAsync(http);
        var stableSince = Stopwatch.StartNew();
        var deadline = Stopwatch.StartNew();
        while (stableSince.Elapsed < TimeSpan.FromSeconds(1) && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
            var now = await BoardAsync(http);
            if (now.Flat.Total != last.Flat.Total || !now.Groups.OrderBy(g => g.Key).SequenceEqual(last.Groups.OrderBy(g => g.Key))) stableSince.Restart();
            last = now;
        }
        return last;
    }

    private static async Task Post(HttpClient http, string url, string json) =>
        (await http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
}
