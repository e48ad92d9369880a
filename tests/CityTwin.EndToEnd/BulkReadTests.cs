using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Contracts.Districts;
using CityTwin.Domain.City;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.EndToEnd;

/// <summary>
/// An export and a scenario's snapshot read thousands of assets at once. A single read waits for its district only
/// about as long as the district's answers usually take, then answers with the readings the asset last took in (a
/// failover must not hold reads up); a bulk read's own questions make the district slow, so it must wait for it — or an
/// export shows the counts of cameras as they were imported, and a what-if starts from them.
/// </summary>
public sealed class BulkReadTests
{
    [Fact]
    public async Task An_export_and_a_scenario_snapshot_carry_every_reading_the_districts_applied()
    {
        // A read waits 1 ms for its district here: a single read gives up on it as soon as it is at all busy.
        await using var twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(), "--Twin:DistrictReadWait=00:00:00.001");
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 31, Districts = 1 });
        using (var imported = await ApiFixture.ImportAsync(twin.Http, city.Assets)) imported.EnsureSuccessStatusCode();
        var district = city.Assets[0].District;
        var ids = city.Assets.Select(a => a.Id).ToArray();

        // Every asset held by its district, so the readings are applied there and not by the asset grains.
        var grains = twin.ApiServices.GetRequiredService<IClusterClient>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await grains.GetGrain<IDistrictGrain>(district).LiveOfManyAsync(ids)).All(l => l.Asset is not null))
        {
            Assert.True(DateTime.UtcNow < deadline, "the district did not hold every asset within 30 s");
            await Task.Delay(100);
        }
        var cameras = city.Assets.Where(a => a.Type == AssetType.Camera).ToArray();
        var poles = city.Assets.Where(a => a.Type == AssetType.Pole).ToArray();
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        var readings = cameras.Select((c, i) => (object)new { id = c.Id, timestamp = at, vehicleCount = 1 + i % 50 })
            .Concat(poles.Select((p, i) => (object)new { id = p.Id, timestamp = at, dimLevel = 1 + i % 90 })).ToArray();
        var sent = await (await twin.Http.PostAsJsonAsync("/api/telemetry", readings)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(readings.Length, (int)sent!["applied"]!);

        var export = JsonNode.Parse(await twin.Http.GetStringAsync($"/api/export?district={district}"))!["features"]!.AsArray()
            .ToDictionary(f => (string)f!["id"]!, f => f!["properties"]!);
        Assert.Equal(ids.Length, export.Count);
        Assert.All(cameras.Select((c, i) => (c.Id, Count: 1 + i % 50)), c => Assert.Equal(c.Count, (int)export[c.Id]["camera"]!["vehicleCount"]!));
        Assert.All(poles.Select((p, i) => (p.Id, Dim: 1 + i % 90)), p => Assert.Equal(p.Dim, (double)export[p.Id]["pole"]!["dimLevel"]!));

        var snapshot = await CityTwin.Grains.Scenarios.SnapshotCapture.CaptureAssetsAsync(grains, district);
        var captured = snapshot.ToDictionary(a => a.Id);
        Assert.All(cameras.Select((c, i) => (c.Id, Count: 1 + i % 50)), c => Assert.Equal(c.Count, captured[c.Id].Camera!.VehicleCount));
        Assert.All(poles.Select((p, i) => (p.Id, Dim: 1 + i % 90)), p => Assert.Equal(p.Dim, captured[p.Id].Pole!.DimLevel));
    }
}
