using System.Net;

namespace CityTwin.EndToEnd;

[Collection(ApiCollection.Name)]
public sealed class AssetApiTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;
    private Asset SomePole(int n = 0) => fixture.City.Assets.Where(a => a.Type == AssetType.Pole).Skip(n).First();

    [Fact]
    public async Task An_asset_reads_back_with_its_live_state()
    {
        var camera = fixture.City.Assets.First(a => a.Type == AssetType.Camera);
        var response = await Http.GetAsync($"/api/assets/{camera.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Json.ReadAsync(response);
        Assert.Equal(camera.Id, (string?)json["id"]);
        Assert.Equal("camera", (string?)json["type"]);
        Assert.Equal(camera.District, (string?)json["district"]);
        Assert.Equal(camera.Dependencies.WatchedIntersectionId, (string?)json["dependencies"]!["watchedIntersectionId"]);
        Assert.Equal(camera.Location.Lon, (double)json["location"]!["lon"]!, 9);
        Assert.NotNull(json["camera"]);
        Assert.Null(json["pole"]);
    }

    [Fact]
    public async Task An_unknown_asset_is_a_404_problem()
    {
        var problem = await Json.AssertProblemAsync(await Http.GetAsync("/api/assets/pole-does-not-exist"), 404, "not-found");
        Assert.Contains("pole-does-not-exist", (string?)problem["detail"]);
    }

    [Fact]
    public async Task A_malformed_id_is_a_400_naming_the_id()
    {
        var problem = await Json.AssertProblemAsync(await Http.GetAsync("/api/assets/bad%20id%21"), 400, "validation");
        Assert.Contains("id", Json.ErrorFields(problem));
    }

    [Fact]
    public async Task Telemetry_is_applied_and_visible_at_once()
    {
        var pole = SomePole(1);
        var response = await Http.PostAsync($"/api/assets/{pole.Id}/telemetry", Json.Body("""{"dimLevel": 35, "powerW": 31.5, "lampOn": true}"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var json = await Json.ReadAsync(await Http.GetAsync($"/api/assets/{pole.Id}"));
        Assert.Equal(35, (double)json["pole"]!["dimLevel"]!);
        Assert.Equal(31.5, (double)json["pole"]!["powerW"]!);
    }

    [Fact]
    public async Task An_older_reading_is_acknowledged_as_stale_and_ignored()
    {
        var pole = SomePole(2);
        var now = DateTimeOffset.UtcNow;
        await Http.PostAsync($"/api/assets/{pole.Id}/telemetry", Json.Body($$"""{"timestamp": "{{now:O}}", "dimLevel": 20}"""));
        var late = await Http.PostAsync($"/api/assets/{pole.Id}/telemetry", Json.Body($$"""{"timestamp": "{{now.AddMinutes(-1):O}}", "dimLevel": 80}"""));

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("stale", (string?)(await Json.ReadAsync(late))["outcome"]);
        Assert.Equal(20, (double)(await Json.ReadAsync(await Http.GetAsync($"/api/assets/{pole.Id}")))["pole"]!["dimLevel"]!);
    }

    [Theory]
    [InlineData("""{"dimLevel": 150}""", "dimLevel")]
    [InlineData("""{"dimLevel": -1}""", "dimLevel")]
    [InlineData("""{"latencyMs": 80}""", "latencyMs")]
    [InlineData("""{"timestamp": "2099-01-01T00:00:00Z"}""", "timestamp")]
    public async Task An_invalid_reading_is_a_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var pole = SomePole(3);
        var before = await (await Http.GetAsync($"/api/assets/{pole.Id}")).Content.ReadAsStringAsync();

        var problem = await Json.AssertProblemAsync(await Http.PostAsync($"/api/assets/{pole.Id}/telemetry", Json.Body(body)), 400, "validation");

        Assert.Contains(field, Json.ErrorFields(problem));
        Assert.Equal(before, await (await Http.GetAsync($"/api/assets/{pole.Id}")).Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"dimLevel": 50""", "dimLevel")]
    [InlineData("""{"dimLevel": "bright"}""", "dimLevel")]
    [InlineData("""[1, 2]""", "$")]
    public async Task Malformed_json_is_a_400_naming_where(string body, string field)
    {
        var problem = await Json.AssertProblemAsync(await Http.PostAsync($"/api/assets/{SomePole().Id}/telemetry", Json.Body(body)), 400, "malformed-json");
        Assert.Contains(field, Json.ErrorFields(problem));
    }

    [Fact]
    public async Task An_oversized_body_is_a_413()
    {
        var huge = $$"""{"dimLevel": 50, "padding": "{{new string('x', 2 << 20)}}"}""";
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/assets/{SomePole().Id}/telemetry", Json.Body(huge)), 413, "payload-too-large");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415()
    {
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/assets/{SomePole().Id}/telemetry", Json.Body("dimLevel=5", "text/plain")), 415, "unsupported-media-type");
    }

    [Fact]
    public async Task Telemetry_for_an_unknown_asset_is_a_404()
    {
        await Json.AssertProblemAsync(await Http.PostAsync("/api/assets/pole-nope/telemetry", Json.Body("""{"dimLevel": 5}""")), 404, "not-found");
    }

    [Fact]
    public async Task Status_changes_are_acknowledged_with_a_new_version()
    {
        var link = fixture.City.Assets.First(a => a.Type == AssetType.Link);
        var response = await Http.PostAsync($"/api/assets/{link.Id}/status", Json.Body("""{"status": "maintenance"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Json.ReadAsync(response);
        Assert.Equal("maintenance", (string?)json["status"]);
        Assert.True((long)json["version"]! >= 2);
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/assets/{link.Id}/status", Json.Body("""{"status": "exploded"}""")), 400, "malformed-json");
    }
}
