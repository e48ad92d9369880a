using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;

namespace CityTwin.EndToEnd;

/// <summary>
/// Named snapshots as an engineer uses them: freeze a district before an incident, run what-ifs on it after the live
/// twin has moved on, and find it again after a restart — on SQLite and PostgreSQL.
/// </summary>
public sealed class SnapshotApiTests
{
    [Fact]
    public Task A_saved_snapshot_keeps_the_city_as_it_was_across_a_restart_on_sqlite() => KeepsTheCityAsItWas(TwinStorage.TempSqlite());

    [Fact]
    public async Task A_saved_snapshot_keeps_the_city_as_it_was_across_a_restart_on_postgresql()
    {
        var connectionString = await PostgresDatabase.CreateFreshAsync();
        if (connectionString is null) return; // developer machine without PostgreSQL; CI always has it
        await KeepsTheCityAsItWas(TwinStorage.Postgres(connectionString));
    }

    private static async Task KeepsTheCityAsItWas(TwinStorage storage)
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 7 });
        var spec = JsonNode.Parse(ScenarioApiTests.ExampleSpec("link-down-evening-peak.json"))!; // cuts leo-d01-1 at 600 s
        string frozenCity;

        await using (var twin = await TwinHost.StartAsync(storage))
        {
            var import = await ApiFixture.ImportAsync(twin.Http, city.Assets);
            Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());

            var saved = await twin.Http.PostAsJsonAsync("/api/snapshots", new { name = "before-cut", source = "d01" });
            Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
            Assert.Equal("/api/snapshots/before-cut", saved.Headers.Location!.ToString());
            var info = await Json.ReadAsync(saved);
            Assert.Equal("d01", (string?)info["source"]);
            Assert.InRange((int)info["assets"]!, city.Assets.Count(a => a.District == "d01"), city.Assets.Count); // and the links it hangs on

            // The operators cut the link afterwards: on the live district the same what-if has nothing left to change.
            Assert.Equal(HttpStatusCode.OK, (await twin.Http.PostAsJsonAsync("/api/links/leo-d01-1/status", new { condition = "down" })).StatusCode);
            var live = await CompareAsync(twin.Http, spec, "d01");
            Assert.Contains(live["notes"]!.AsArray(), n => ((string?)n)!.Contains("the link is already down in the snapshot", StringComparison.Ordinal));
            Assert.Equal(0, (int)live["city"]!["delta"]!["maxCamerasWithoutFeed"]!);

            // On the snapshot the link is still up: the cut is measured.
            var frozen = await CompareAsync(twin.Http, spec, "before-cut");
            Assert.Empty(frozen["notes"]!.AsArray());
            Assert.True((int)frozen["city"]!["delta"]!["maxCamerasWithoutFeed"]! > 0);
            frozenCity = frozen["city"]!.ToJsonString();

            // Listed, and its name is not reused.
            var list = await twin.Http.GetFromJsonAsync<JsonObject>("/api/snapshots");
            Assert.Equal(["before-cut"], list!["snapshots"]!.AsArray().Select(s => (string?)s!["name"]));
            await Json.AssertProblemAsync(await twin.Http.PostAsJsonAsync("/api/snapshots", new { name = "before-cut", source = "d01" }), 409, "bad-request");
        }

        await using (var twin = await TwinHost.StartAsync(storage))
        {
            Assert.Equal(HttpStatusCode.OK, (await twin.Http.GetAsync("/api/snapshots/before-cut")).StatusCode);
            // The same spec on the same snapshot: the same result, field by field.
            Assert.Equal(frozenCity, (await CompareAsync(twin.Http, spec, "before-cut"))["city"]!.ToJsonString());

            Assert.Equal(HttpStatusCode.NoContent, (await twin.Http.DeleteAsync("/api/snapshots/before-cut")).StatusCode);
            await Json.AssertProblemAsync(await twin.Http.GetAsync("/api/snapshots/before-cut"), 404, "not-found");
            await Json.AssertProblemAsync(await twin.Http.DeleteAsync("/api/snapshots/before-cut"), 404, "not-found");
            spec["snapshotId"] = "before-cut";
            var refused = await twin.Http.PostAsync("/api/scenarios", Json.Body(spec.ToJsonString()));
            Assert.Contains("snapshotId", Json.ErrorFields(await Json.AssertProblemAsync(refused, 400, "validation")));
            Assert.Empty((await twin.Http.GetFromJsonAsync<JsonObject>("/api/snapshots"))!["snapshots"]!.AsArray());
        }
    }

    private static async Task<JsonNode> CompareAsync(HttpClient http, JsonNode spec, string snapshotId)
    {
        spec["snapshotId"] = snapshotId;
        var submitted = await http.PostAsync("/api/scenarios", Json.Body(spec.ToJsonString()));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var location = submitted.Headers.Location!.ToString();
        Assert.Equal("completed", (string?)(await ScenarioApiTests.UntilFinishedAsync(http, location))["status"]);
        return await Json.ReadAsync(await http.GetAsync(location + "/compare"));
    }
}

[Collection(ApiCollection.Name)]
public sealed class SnapshotRequestTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_bad_request_names_its_field_and_saves_nothing()
    {
        var http = fixture.Http;
        var before = (await http.GetFromJsonAsync<JsonObject>("/api/snapshots"))!["snapshots"]!.AsArray().Count;

        Assert.Equal(["name"], await FieldsAsync(await http.PostAsJsonAsync("/api/snapshots", new { source = "d01" })));
        Assert.Equal(["name"], await FieldsAsync(await http.PostAsJsonAsync("/api/snapshots", new { name = "no spaces", source = "d01" })));
        Assert.Equal(["name"], await FieldsAsync(await http.PostAsJsonAsync("/api/snapshots", new { name = "d01", source = "d01" }))); // a district's id
        Assert.Equal(["source"], await FieldsAsync(await http.PostAsJsonAsync("/api/snapshots", new { name = "x-1", source = "d99" })));
        var extra = await http.PostAsync("/api/snapshots", Json.Body("""{ "name": "x-2", "source": "d01", "extra": 1 }"""));
        Assert.Equal(HttpStatusCode.BadRequest, extra.StatusCode);
        await Json.AssertProblemAsync(await http.GetAsync("/api/snapshots/nope"), 404, "not-found");

        Assert.Equal(before, (await http.GetFromJsonAsync<JsonObject>("/api/snapshots"))!["snapshots"]!.AsArray().Count);
    }

    private static async Task<IEnumerable<string>> FieldsAsync(HttpResponseMessage response) =>
        Json.ErrorFields(await Json.AssertProblemAsync(response, 400, "validation"));
}
