using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using CityTwin.LoadTests;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace CityTwin.EndToEnd;

/// <summary>
/// A link's cut is fanned out by its backhaul grain; that grain's silo is killed (SIGKILL) right after the cut is
/// acknowledged, so the fan-out dies half-way (or before it began). Every dependent living on the surviving silo must
/// still converge to "backhaul down" — without anything else touching the backhaul grain: only those dependents are
/// read, and reading an active grain activates nothing. Two silo processes on PostgreSQL (reminders in the database).
/// The kill lands after the cut was acknowledged, which on this machine is mostly after the fan-out finished (a few
/// hundred calls take milliseconds): the output says how many dependents had not heard when the silo died, and the
/// test holds the end state either way — every one of them converges.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FanOutSurvivalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_link_cut_reaches_every_dependent_on_the_surviving_silo_after_the_fan_out_silo_dies()
    {
        var connectionString = await PostgresDatabase.CreateFreshAsync();
        if (connectionString is null) return; // developer machine without PostgreSQL; CI always has it
        var storage = new StorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = connectionString, ClusterId = $"fanout-{Guid.NewGuid():N}" };
        var admin = AdminKey.New();
        string[] common =
        [
            "--Storage:Provider=PostgreSql", $"--Storage:ConnectionString={connectionString}", $"--Storage:ClusterId={storage.ClusterId}",
            "--Logging:LogLevel:Default=Warning", admin.Argument,
            // Registrations with the backhaul grain are written behind: a long window makes sure the kill finds the
            // latest of them unwritten, so the resumed fan-out must not depend on them having been written before.
            "--Twin:DistrictWriteBehind=00:01:00",
        ];
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 2_000, Seed = 31 });
        var silos = new List<(ChildProcess Process, int Port)>();
        ChildProcess? api = null;
        Microsoft.Extensions.Hosting.IHost? client = null;
        try
        {
            for (var i = 0; i < 2; i++)
            {
                int port = ChildProcess.FreePort(), gateway = ChildProcess.FreePort();
                silos.Add((await ChildProcess.StartAsync(FailoverTests.Dll("CityTwin.Silo"),
                    [.. common, $"--Silo:Port={port}", $"--Silo:GatewayPort={gateway}", "--Seed:Assets=0"]), port));
            }
            api = await ChildProcess.StartAsync(FailoverTests.Dll("CityTwin.Api"), common);
            using var http = admin.Authorize(new HttpClient { BaseAddress = new Uri(api.Url), Timeout = TimeSpan.FromMinutes(3) }); // an import on a busy CI machine
            await FailoverRun.ImportAsync(http, city.Assets);
            client = await FailoverRun.StartClientAsync(storage);
            var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);

            // The link with the most dependents; its backhaul grain is active once its dependents registered.
            var link = city.Assets.Where(a => a.Type == AssetType.Link)
                .MaxBy(l => city.Assets.Count(a => a.Dependencies.BackhaulLinkId == l.Id))!.Id;
            var dependents = city.Assets.Where(a => a.Dependencies.BackhaulLinkId == link).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
            var stats = await management.GetDetailedGrainStatistics();
            var backhaulSilo = stats.Single(s => s.GrainId.Key.ToString() == link && s.GrainType.Contains("Backhaul", StringComparison.Ordinal)).SiloAddress.Endpoint.Port;
            var victim = silos.Single(s => s.Port == backhaulSilo);
            var survivorDependents = stats.Where(s => s.SiloAddress.Endpoint.Port != backhaulSilo && s.GrainType.Contains("AssetGrain", StringComparison.Ordinal)
                                                      && dependents.Contains(s.GrainId.Key.ToString()!)).Select(s => s.GrainId.Key.ToString()!).ToArray();
            output.WriteLine($"{link}: {dependents.Count} dependents, {survivorDependents.Length} on the surviving silo; its backhaul grain is on port {backhaulSilo}");
            Assert.True(survivorDependents.Length > 10, "too few dependents on the other silo to test anything");

            using (var cut = await http.PostAsync($"/api/links/{link}/status", JsonContent.Create(new { condition = "down" })))
                Assert.True(cut.IsSuccessStatusCode, await cut.Content.ReadAsStringAsync());
            await victim.Process.KillAsync();
            var clock = Stopwatch.StartNew();

            var stale = await StaleAsync(http, survivorDependents);
            output.WriteLine($"right after the kill, {stale.Count} of {survivorDependents.Length} dependents on the surviving silo had not heard of the cut");
            while (stale.Count > 0 && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                stale = await StaleAsync(http, stale);
            }
            output.WriteLine($"converged after {clock.Elapsed.TotalSeconds:0.0} s; still stale: {string.Join(", ", stale.Take(10))}");
            if (stale.Count > 0)
            {
                // Say what the API answers for them, so that a failure shows whether they were stale or unreadable.
                var answers = await Task.WhenAll(stale.Take(3).Select(async id =>
                {
                    using var response = await http.GetAsync($"/api/assets/{id}");
                    var body = await response.Content.ReadAsStringAsync();
                    return $"{id}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 600)]}";
                }));
                Assert.Fail($"{stale.Count} of {survivorDependents.Length} dependents on the surviving silo never showed the cut in {clock.Elapsed.TotalSeconds:0} s (victim exited: {victim.Process.HasExited}):{Environment.NewLine}{string.Join(Environment.NewLine, answers)}");
            }
        }
        finally
        {
            if (client is not null) { await client.StopAsync(); client.Dispose(); }
            if (api is not null) await api.DisposeAsync();
            foreach (var (silo, _) in silos) await silo.DisposeAsync();
        }
    }

    /// <summary>The dependents that do not yet show their backhaul down.</summary>
    private static async Task<List<string>> StaleAsync(HttpClient http, IReadOnlyCollection<string> ids)
    {
        var stale = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            try
            {
                var asset = await http.GetFromJsonAsync<JsonObject>($"/api/assets/{id}", ct);
                if ((string?)asset?["upstream"]?["backhaul"] != "down") stale.Add(id);
            }
            catch (HttpRequestException) { stale.Add(id); }
        });
        return [.. stale];
    }
}
