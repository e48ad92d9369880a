using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;
using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Serialization;

namespace CityTwin.EndToEnd;

[Collection(ApiCollection.Name)]
public sealed class ScenarioApiTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;

    public static string ExampleSpec(string name) => File.ReadAllText(ExamplePath(name));

    public static string ExamplePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "scenarios", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(name);
    }

    public static async Task<JsonNode> UntilFinishedAsync(HttpClient http, string location, int timeoutMs = 60_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var view = await Json.ReadAsync(await http.GetAsync(location));
            if ((string?)view["status"] is "completed" or "failed" or "cancelled" || DateTime.UtcNow > deadline) return view;
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("link-down-evening-peak.json")]
    [InlineData("controller-fault.json")]
    [InlineData("demand-surge.json")]
    [InlineData("dim-after-midnight.json")]
    public async Task An_example_spec_runs_and_compares_baseline_with_variant(string example)
    {
        var response = await Http.PostAsync("/api/scenarios", Json.Body(ExampleSpec(example)));
        var accepted = await Json.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, accepted.ToJsonString());
        var location = response.Headers.Location!.ToString();
        Assert.Equal($"/api/scenarios/{(string?)accepted["id"]}", location);

        var view = await UntilFinishedAsync(Http, location);
        Assert.Equal("completed", (string?)view["status"]);
        Assert.Equal(1, (double)view["progress"]!);
        Assert.NotNull(view["summary"]!["city"]!["delta"]);

        var compare = await Json.ReadAsync(await Http.GetAsync(location + "/compare?top=5"));
        Assert.NotNull(compare["city"]!["baseline"]!["meanDelaySeconds"]);
        Assert.InRange(compare["intersections"]!.AsArray().Count, 1, 5);
        Assert.True((int)compare["intersectionCount"]! >= compare["intersections"]!.AsArray().Count);
        Assert.NotEmpty(compare["districts"]!.AsArray());

        var recent = await Json.ReadAsync(await Http.GetAsync("/api/scenarios?limit=100"));
        Assert.Contains(recent["scenarios"]!.AsArray(), s => (string?)s!["id"] == (string?)accepted["id"]);
    }

    [Fact]
    public async Task Demand_from_the_twin_is_estimated_from_the_cameras_counts_and_its_fit_reported()
    {
        // Cameras of d01 report their one-minute counts, as the live twin receives them.
        var cameras = fixture.City.Assets.Where(a => a is { Type: AssetType.Camera, District: "d01" } && a.Dependencies.WatchedIntersectionId is not null).Take(12).ToList();
        Assert.NotEmpty(cameras);
        var readings = new JsonArray([.. cameras.Select((c, k) => (JsonNode)new JsonObject { ["id"] = c.Id, ["vehicleCount"] = 12 + k })]);
        var posted = await Json.ReadAsync(await Http.PostAsync("/api/telemetry", Json.Body(readings.ToJsonString())));
        Assert.Equal(cameras.Count, (int)posted["applied"]!);

        var response = await Http.PostAsync("/api/scenarios", Json.Body(ExampleSpec("link-down-live-demand.json")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.Equal("completed", (string?)(await UntilFinishedAsync(Http, location))["status"]);
        var fit = (await Json.ReadAsync(await Http.GetAsync(location + "/compare")))["demandFit"]!;

        Assert.True((int)fit["camerasCounted"]! >= cameras.Count, fit.ToJsonString());
        Assert.True((int)fit["countedApproaches"]! > 0);
        Assert.True((double)fit["shareGehBelow5"]! >= (double)fit["priorShareGehBelow5"]!, fit.ToJsonString());
        Assert.NotEqual((double)fit["priorTripsPerHour"]!, (double)fit["estimatedTripsPerHour"]!);
    }

    [Fact]
    public async Task The_examples_served_are_the_docs_specs_and_one_runs_as_served()
    {
        var response = await Http.GetAsync("/api/scenarios/examples");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var examples = (await Json.ReadAsync(response))["examples"]!.AsArray();

        // One per file of docs/scenarios, named by the file, the same spec (the served one with its defaults spelled out).
        var docs = Path.GetDirectoryName(ExamplePath("controller-fault.json"))!;
        var files = Directory.GetFiles(docs, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, examples.Select(e => (string?)e!["id"]));
        foreach (var example in examples)
        {
            var id = (string)example!["id"]!;
            var file = JsonSerializer.Deserialize<ScenarioSpec>(File.ReadAllText(Path.Combine(docs, id + ".json")), CityTwinJson.Options)!;
            var served = example["spec"].Deserialize<ScenarioSpec>(CityTwinJson.Options)!;
            Assert.Equal(JsonSerializer.Serialize(file, CityTwinJson.Options), JsonSerializer.Serialize(served, CityTwinJson.Options));
            Assert.Equal(file.Name, (string?)example["name"]);
        }

        // What is served is what the API accepts and runs.
        var spec = examples.Single(e => (string?)e!["id"] == "controller-fault")!["spec"]!.ToJsonString();
        var submitted = await Http.PostAsync("/api/scenarios", Json.Body(spec));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("completed", (string?)(await UntilFinishedAsync(Http, submitted.Headers.Location!.ToString()))["status"]);
    }

    [Fact]
    public async Task An_invalid_spec_is_a_400_naming_its_fields()
    {
        var response = await Http.PostAsync("/api/scenarios", Json.Body("""
            { "name": "bad", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z", "horizonSeconds": 5,
              "perturbations": [ { "kind": "linkDown", "targetId": "no-such-link" } ] }
            """));
        var problem = await Json.AssertProblemAsync(response, 400, "validation");
        Assert.Contains("horizonSeconds", Json.ErrorFields(problem));

        var unknownIds = await Http.PostAsync("/api/scenarios", Json.Body("""
            { "name": "bad", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z",
              "perturbations": [ { "kind": "linkDown", "targetId": "no-such-link" } ] }
            """));
        problem = await Json.AssertProblemAsync(unknownIds, 400, "validation");
        Assert.Contains(Json.ErrorFields(problem), f => f.StartsWith("perturbations[0]", StringComparison.Ordinal));

        var unknownDistrict = await Http.PostAsync("/api/scenarios", Json.Body("""{ "name": "x", "snapshotId": "d99", "start": "2026-11-30T16:00:00Z" }"""));
        Assert.Equal(["snapshotId"], Json.ErrorFields(await Json.AssertProblemAsync(unknownDistrict, 400, "validation")));

        var wrongType = await Http.PostAsync("/api/scenarios", Json.Body("""{ "name": "x", "snapshotId": "d01", "horizonSeconds": "long" }"""));
        Assert.Contains("horizonSeconds", Json.ErrorFields(await Json.AssertProblemAsync(wrongType, 400, "malformed-json")));
    }

    [Fact]
    public async Task Unknown_scenarios_are_404_and_bad_ids_400()
    {
        await Json.AssertProblemAsync(await Http.GetAsync("/api/scenarios/scn-nope"), 404, "not-found");
        await Json.AssertProblemAsync(await Http.GetAsync("/api/scenarios/scn-nope/compare"), 404, "not-found");
        await Json.AssertProblemAsync(await Http.DeleteAsync("/api/scenarios/scn-nope"), 404, "not-found");
        await Json.AssertProblemAsync(await Http.GetAsync("/api/scenarios/%20bad%20/compare"), 400, "validation");
        await Json.AssertProblemAsync(await Http.GetAsync("/api/scenarios?limit=0"), 400, "validation");
    }
}

/// <summary>A twin with one scenario slot and no queue: the second scenario is refused, and a running one is cancelled.</summary>
public sealed class ScenarioQueueTests
{
    private const string LongSpec = """
        { "name": "a long day", "snapshotId": "city", "start": "2026-11-30T00:00:00Z", "horizonSeconds": 86400,
          "intervalSeconds": 3600, "demand": { "tripsPerHourPerIntersection": 400 } }
        """;

    [Fact]
    public async Task A_full_queue_is_a_503_with_retry_after_and_a_running_scenario_can_be_cancelled()
    {
        await using var twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(), "--Scenarios:MaxConcurrent=1", "--Scenarios:MaxQueued=0");
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 3 });
        var import = await ApiFixture.ImportAsync(twin.Http, city.Assets);
        Assert.True(import.IsSuccessStatusCode, await import.Content.ReadAsStringAsync());

        var first = await twin.Http.PostAsync("/api/scenarios", Json.Body(LongSpec));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var refused = await twin.Http.PostAsync("/api/scenarios", Json.Body(LongSpec));
        await Json.AssertProblemAsync(refused, 503, "scenario-queue-full");
        Assert.NotNull(refused.Headers.RetryAfter);

        var location = first.Headers.Location!.ToString();
        var cancelled = await Json.ReadAsync(await twin.Http.DeleteAsync(location));
        Assert.Equal("cancelled", (string?)cancelled["status"]);
        await Json.AssertProblemAsync(await twin.Http.GetAsync(location + "/compare"), 409, "scenario-not-finished");

        // The slot is free again.
        var again = await twin.Http.PostAsync("/api/scenarios", Json.Body(LongSpec.Replace("86400", "3600")));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("completed", (string?)(await ScenarioApiTests.UntilFinishedAsync(twin.Http, again.Headers.Location!.ToString()))["status"]);
    }
}
