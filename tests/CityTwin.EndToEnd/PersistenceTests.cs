using System.Net;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;

namespace CityTwin.EndToEnd;

/// <summary>State survives a full stop: write through the API, stop silo and API, start new ones on the same database.</summary>
public sealed class PersistenceTests
{
    [Fact]
    public Task Every_asset_survives_a_restart_on_sqlite() => RestartKeepsEverything(TwinStorage.TempSqlite());

    [Fact]
    public async Task Every_asset_survives_a_restart_on_postgresql()
    {
        var connectionString = await PostgresDatabase.CreateFreshAsync();
        if (connectionString is null) return; // developer machine without PostgreSQL; CI always has it
        await RestartKeepsEverything(TwinStorage.Postgres(connectionString));
    }

    private static async Task RestartKeepsEverything(TwinStorage storage)
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 3 });
        var pole = city.Assets.First(a => a.Type == AssetType.Pole);
        var link = city.Assets.First(a => a.Type == AssetType.Link);
        string before;
        JsonNode poleBefore;

        await using (var twin = await TwinHost.StartAsync(storage))
        {
            // On a loaded CI machine a first import on a fresh PostgreSQL database has answered 503 now and then: sent again.
            var imported = await ApiFixture.ImportAsync(twin.Http, city.Assets);
            Assert.True(imported.StatusCode == HttpStatusCode.OK, $"{imported.StatusCode}: {await imported.Content.ReadAsStringAsync()}");
            Assert.Equal(HttpStatusCode.OK, (await twin.Http.PostAsync($"/api/assets/{link.Id}/status", Json.Body("""{"status":"degraded"}"""))).StatusCode);
            // Telemetry is written behind: the graceful stop below must flush it.
            Assert.Equal(HttpStatusCode.Accepted, (await twin.Http.PostAsync($"/api/assets/{pole.Id}/telemetry", Json.Body("""{"dimLevel": 12.5, "energyKWh": 3.25}"""))).StatusCode);
            before = await ApiFixture.GetStringAsync(twin.Http, "/api/export");
            poleBefore = JsonNode.Parse(await ApiFixture.GetStringAsync(twin.Http, $"/api/assets/{pole.Id}"))!;
        }

        await using (var twin = await TwinHost.StartAsync(storage))
        {
            // First the operations centre's overview, before anything has asked for an asset or a district.
            var counted = 0;
            for (var waited = System.Diagnostics.Stopwatch.StartNew(); counted != city.Assets.Count && waited.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
                counted = (int)JsonNode.Parse(await ApiFixture.GetStringAsync(twin.Http, "/api/stats"))!["city"]!["assets"]!;
            Assert.Equal(city.Assets.Count, counted);
            Assert.Equal(before, await ApiFixture.GetStringAsync(twin.Http, "/api/export"));
            var poleAfter = JsonNode.Parse(await ApiFixture.GetStringAsync(twin.Http, $"/api/assets/{pole.Id}"))!;
            Assert.Equal(poleBefore.ToJsonString(), poleAfter.ToJsonString()); // version, timestamps and telemetry too
            Assert.Equal(12.5, (double)poleAfter["pole"]!["dimLevel"]!);
            var linkAfter = JsonNode.Parse(await ApiFixture.GetStringAsync(twin.Http, $"/api/assets/{link.Id}"))!;
            Assert.Equal("degraded", (string?)linkAfter["status"]);
            // The state-change log is persisted with the asset; the readings buffer is not.
            var history = JsonNode.Parse(await ApiFixture.GetStringAsync(twin.Http, $"/api/assets/{link.Id}/history"))!;
            var changes = history["changes"]!.AsArray().SelectMany(c => c!["changes"]!.AsArray().Select(x => (string)x!)).ToList();
            Assert.Contains("status: operational → degraded", changes);
            // So is the read model: the districts answer queries from what they stored.
            var degraded = JsonNode.Parse(await ApiFixture.GetStringAsync(twin.Http, $"/api/assets?type=link&status=degraded&district={link.District}"))!;
            Assert.Contains(degraded["items"]!.AsArray(), i => (string)i!["id"]! == link.Id);
        }
    }
}
