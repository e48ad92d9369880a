using System.Net;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;

namespace CityTwin.EndToEnd;

/// <summary>A twin of its own: these tests cut links and power, which would surprise the other API tests.</summary>
public sealed class CascadeFixture : IAsyncLifetime
{
    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 2_000, Seed = 21, Districts = 2 });
    public HttpClient Http => Twin.Http;

    public async Task InitializeAsync()
    {
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite());
        var response = await ApiFixture.ImportAsync(Http, City.Assets);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await Twin.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class CascadeCollection : ICollectionFixture<CascadeFixture>
{
    public const string Name = "cascade";
}

[Collection(CascadeCollection.Name)]
public sealed class CascadeApiTests(CascadeFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<JsonNode> Get(string url) => await Json.ReadAsync(await Http.GetAsync(url));

    private async Task<JsonNode> Until(string url, Func<JsonNode, bool> done, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var json = await Get(url);
            if (done(json) || DateTime.UtcNow > deadline) return json;
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task Cutting_a_link_takes_its_dependents_down_with_alarms_and_restoring_it_brings_them_back()
    {
        var link = fixture.City.Assets.First(a => a.Type == AssetType.Link);
        var dependents = fixture.City.Assets.Where(a => a.Dependencies.BackhaulLinkId == link.Id).ToArray();
        var cameras = dependents.Where(a => a.Type == AssetType.Camera).ToArray();
        // Intersections whose every camera hangs on this link lose adaptive control.
        var blind = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection)
            .Where(i => fixture.City.Assets.Where(c => c.Dependencies.WatchedIntersectionId == i.Id).ToArray() is { Length: > 0 } watching
                        && watching.All(c => c.Dependencies.BackhaulLinkId == link.Id))
            .ToArray();
        Assert.NotEmpty(cameras);
        Assert.NotEmpty(blind);

        var listed = await Get($"/api/assets/{link.Id}/dependents?limit=1000");
        Assert.Equal(dependents.Length, (int)listed["total"]!);

        var response = await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"down"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("offline", (string?)(await Json.ReadAsync(response))["status"]);

        foreach (var intersection in blind)
            Assert.Equal("fixedTime", (string?)(await Until($"/api/assets/{intersection.Id}", j => (string?)j["intersection"]!["activeMode"] == "fixedTime"))["intersection"]!["activeMode"]);
        foreach (var camera in cameras)
        {
            var json = await Get($"/api/assets/{camera.Id}");
            Assert.False((bool)json["camera"]!["feedOnline"]!);
            Assert.Equal("offline", (string?)json["status"]);
        }
        var pole = dependents.First(a => a.Type == AssetType.Pole);
        Assert.Equal("degraded", (string?)(await Get($"/api/assets/{pole.Id}"))["status"]);

        var alarms = await Until($"/api/alarms?district={link.District}&active=true&limit=1000",
            j => j["alarms"]!.AsArray().Count(a => (string?)a!["kind"] == "feedLost") >= cameras.Length);
        var feedLost = alarms["alarms"]!.AsArray().First(a => (string?)a!["assetId"] == cameras[0].Id)!;
        Assert.Equal("major", (string?)feedLost["severity"]);
        Assert.Equal($"{link.Id}: link down", (string?)feedLost["cause"]!.AsArray()[^1]);
        var linkDown = alarms["alarms"]!.AsArray().Single(a => (string?)a!["assetId"] == link.Id)!;
        Assert.Equal("critical", (string?)linkDown["severity"]);
        Assert.True((int)alarms["active"]!["critical"]! >= 1);

        var acked = await Http.PostAsync($"/api/alarms/{(string?)linkDown["id"]}/ack", Json.Body("""{"by":"ops-desk-1","note":"satellite operator called"}"""));
        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
        Assert.Equal("ops-desk-1", (string?)(await Json.ReadAsync(acked))["acknowledgedBy"]);

        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"up"}"""))).StatusCode);
        foreach (var intersection in blind) // back to the mode each was configured with
        {
            var json = await Until($"/api/assets/{intersection.Id}", j => (string?)j["intersection"]!["activeMode"] == (string?)j["intersection"]!["mode"]);
            Assert.Equal((string?)json["intersection"]!["mode"], (string?)json["intersection"]!["activeMode"]);
            Assert.Equal("operational", (string?)json["status"]);
        }
        foreach (var camera in cameras) Assert.True((bool)(await Get($"/api/assets/{camera.Id}"))["camera"]!["feedOnline"]!);
        var after = await Until($"/api/alarms?district={link.District}&active=true&limit=1000", j => !j["alarms"]!.AsArray().Any(a => (string?)a!["assetId"] == link.Id));
        Assert.DoesNotContain(after["alarms"]!.AsArray(), a => dependents.Any(d => d.Id == (string?)a!["assetId"]));
        var cleared = await Get($"/api/alarms?district={link.District}&active=false&limit=1000");
        Assert.Contains(cleared["alarms"]!.AsArray(), a => (string?)a!["id"] == (string?)linkDown["id"] && a!["clearedAt"] is not null && (string?)a["acknowledgedBy"] == "ops-desk-1");
    }

    [Fact]
    public async Task A_district_outage_goes_dark_and_comes_back_and_a_feeder_outage_stays_on_its_feeder()
    {
        var district = fixture.City.Districts[^1];
        var poles = fixture.City.Assets.Where(a => a.District == district && a.Type == AssetType.Pole).ToArray();
        var intersection = fixture.City.Assets.First(a => a.District == district && a.Type == AssetType.Intersection && a.Intersection!.Mode == ControlMode.Adaptive);
        var before = await Until($"/api/districts/{district}?limit=1", j => (double)j["powerDrawKw"]! > 0);

        var cut = await Http.PostAsync($"/api/districts/{district}/power", Json.Body("""{"on":false}"""));
        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        Assert.False((bool)(await Json.ReadAsync(cut))["on"]!);

        Assert.Equal("dark", (string?)(await Until($"/api/assets/{intersection.Id}", j => (string?)j["intersection"]!["activeMode"] == "dark"))["intersection"]!["activeMode"]);
        var dark = await Until($"/api/districts/{district}?limit=1", j => (double)j["powerDrawKw"]! == 0 && (double)j["offlineRatio"]! > 0.9);
        Assert.Equal(0, (double)dark["powerDrawKw"]!);
        Assert.Equal("offline", (string?)(await Get($"/api/assets/{poles[0].Id}"))["status"]);
        Assert.Equal($"district {district}: power outage", (string?)(await Get($"/api/assets/{poles[0].Id}/dependencies"))["power"]!["cause"]);

        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/districts/{district}/power", Json.Body("""{"on":true}"""))).StatusCode);
        var back = await Until($"/api/districts/{district}?limit=1", j => (double)j["powerDrawKw"]! == (double)before["powerDrawKw"]!);
        Assert.Equal((double)before["powerDrawKw"]!, (double)back["powerDrawKw"]!);
        Assert.Equal("adaptive", (string?)(await Until($"/api/assets/{intersection.Id}", j => (string?)j["intersection"]!["activeMode"] == "adaptive"))["intersection"]!["activeMode"]);

        // One feeder: only its assets.
        var feeder = poles[0].Dependencies.PowerFeederId!;
        var onFeeder = poles.Where(p => p.Dependencies.PowerFeederId == feeder).ToArray();
        var offFeeder = poles.First(p => p.Dependencies.PowerFeederId != feeder);
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/api/districts/{district}/power", new { on = false, feeder })).StatusCode);
        foreach (var p in onFeeder) Assert.Equal("offline", (string?)(await Until($"/api/assets/{p.Id}", j => (string?)j["status"] == "offline"))["status"]);
        Assert.Equal("operational", (string?)(await Get($"/api/assets/{offFeeder.Id}"))["status"]);
        var power = await Get($"/api/districts/{district}/power");
        Assert.Equal(feeder, (string?)power["feedersOff"]!.AsArray().Single());
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/api/districts/{district}/power", new { on = true, feeder })).StatusCode);
        foreach (var p in onFeeder) Assert.Equal("operational", (string?)(await Until($"/api/assets/{p.Id}", j => (string?)j["status"] == "operational"))["status"]);
    }

    [Fact]
    public async Task A_controller_fault_sets_flashing_and_clearing_it_returns_to_adaptive()
    {
        var intersection = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).Skip(3).First();
        var faulted = await Json.ReadAsync(await Http.PostAsync($"/api/intersections/{intersection.Id}/controller", Json.Body("""{"fault":true}""")));
        Assert.Equal("flashing", (string?)faulted["intersection"]!["activeMode"]);
        Assert.Equal("faulted", (string?)faulted["status"]);
        var alarms = await Until($"/api/alarms?severity=critical&active=true", j => j["alarms"]!.AsArray().Any(a => (string?)a!["assetId"] == intersection.Id));
        Assert.Equal("controllerFault", (string?)alarms["alarms"]!.AsArray().First(a => (string?)a!["assetId"] == intersection.Id)!["kind"]);

        var cleared = await Json.ReadAsync(await Http.PostAsync($"/api/intersections/{intersection.Id}/controller", Json.Body("""{"fault":false}""")));
        Assert.NotEqual("flashing", (string?)cleared["intersection"]!["activeMode"]);
        Assert.Equal("operational", (string?)cleared["status"]);
    }

    [Fact]
    public async Task An_asset_lists_what_it_depends_on_with_their_state()
    {
        var camera = fixture.City.Assets.Where(a => a.Type == AssetType.Camera).Skip(5).First();
        var json = await Get($"/api/assets/{camera.Id}/dependencies");
        Assert.Equal(camera.Dependencies.BackhaulLinkId, (string?)json["backhaul"]!["id"]);
        Assert.Equal(camera.Dependencies.WatchedIntersectionId, (string?)json["watchedIntersection"]!["id"]);
        Assert.Equal(camera.Dependencies.PowerFeederId, (string?)json["power"]!["feeder"]);

        var watching = fixture.City.Assets.Where(a => a.Dependencies.WatchedIntersectionId == camera.Dependencies.WatchedIntersectionId).Select(a => a.Id).Order(StringComparer.Ordinal);
        var dependents = await Get($"/api/assets/{camera.Dependencies.WatchedIntersectionId}/dependents");
        Assert.Equal(watching, dependents["dependents"]!.AsArray().Select(d => (string)d!["id"]!));
    }

    [Fact]
    public async Task Bad_incident_requests_are_problems_and_change_nothing()
    {
        var link = fixture.City.Assets.Where(a => a.Type == AssetType.Link).Skip(1).First();
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole);
        var versionBefore = (long)(await Get($"/api/assets/{link.Id}"))["version"]!;

        Assert.Contains("latencyMs", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"degraded","latencyMs":-5}""")), 400, "validation")));
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"sideways"}""")), 400, "malformed-json");
        Assert.Contains("condition", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{}""")), 400, "validation")));
        Assert.Contains("condition", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostAsync($"/api/links/{pole.Id}/status", Json.Body("""{"condition":"down"}""")), 400, "validation")));
        await Json.AssertProblemAsync(await Http.PostAsync("/api/links/leo-nowhere/status", Json.Body("""{"condition":"down"}""")), 404, "not-found");
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"down"}""", "text/plain")), 415, "unsupported-media-type");
        Assert.Equal(versionBefore, (long)(await Get($"/api/assets/{link.Id}"))["version"]!);
        Assert.Equal("operational", (string?)(await Get($"/api/assets/{link.Id}"))["status"]);

        Assert.Contains("fault", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostAsync($"/api/intersections/{pole.Id}/controller", Json.Body("""{"fault":true}""")), 400, "validation")));
        Assert.Contains("fault", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostAsync($"/api/intersections/{pole.Id}/controller", Json.Body("""{"fault":"yes"}""")), 400, "malformed-json")));
        await Json.AssertProblemAsync(await Http.PostAsync("/api/districts/nowhere/power", Json.Body("""{"on":false}""")), 404, "not-found");
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/districts/{pole.District}/power", Json.Body("""{"on":false,"feeder":"feeder-unknown"}""")), 404, "not-found");
        Assert.Contains("on", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostAsync($"/api/districts/{pole.District}/power", Json.Body("""{"feeder":null}""")), 400, "validation")));
        Assert.True((bool)(await Get($"/api/districts/{pole.District}/power"))["on"]!);

        Assert.Contains("severity", Json.ErrorFields(await Json.AssertProblemAsync(await Http.GetAsync("/api/alarms?severity=apocalyptic"), 400, "validation")));
        Assert.Contains("limit", Json.ErrorFields(await Json.AssertProblemAsync(await Http.GetAsync("/api/alarms?limit=0"), 400, "validation")));
        Assert.Contains("id", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostAsync("/api/alarms/not-an-alarm/ack", null), 400, "validation")));
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/alarms/alm-{pole.District}-99999999/ack", null), 404, "not-found");
        Assert.Contains("limit", Json.ErrorFields(await Json.AssertProblemAsync(await Http.GetAsync($"/api/assets/{link.Id}/dependents?limit=5000"), 400, "validation")));
    }
}
