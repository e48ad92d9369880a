using System.Net;
using System.Text.Json.Nodes;

namespace CityTwin.EndToEnd;

/// <summary>Sweeps through the HTTP API: submit the docs' example, watch its bands fill, list, refuse bad specs, cancel.</summary>
[Collection(ApiCollection.Name)]
public sealed class SweepApiTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;

    public static string ExamplePath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "sweeps", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(name);
    }

    [Fact]
    public async Task The_docs_sweep_runs_every_seed_at_every_value_and_gives_each_kpi_its_band()
    {
        var response = await Http.PostAsync("/api/sweeps", Json.Body(File.ReadAllText(ExamplePath("evening-surge-bands.json"))));
        var accepted = await Json.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, accepted.ToJsonString());
        var location = response.Headers.Location!.ToString();
        Assert.Equal($"/api/sweeps/{(string?)accepted["id"]}", location);

        var view = await ScenarioApiTests.UntilFinishedAsync(Http, location, 180_000);

        Assert.Equal("completed", (string?)view["status"]);
        Assert.Equal((30, 1.0), ((int)view["runs"]!, (double)view["progress"]!));
        var result = view["result"]!;
        Assert.Equal("demand.scale", (string?)result["parameter"]);
        var points = result["points"]!.AsArray();
        Assert.Equal([1.0, 1.2, 1.4], points.Select(p => (double)p!["value"]!));
        foreach (var point in points)
        {
            Assert.Equal(10, (int)point!["completed"]!);
            var delay = point["kpis"]!.AsArray().Single(k => (string?)k!["kpi"] == "meanDelaySeconds")!;
            foreach (var side in new[] { "baseline", "variant", "delta" })
                Assert.True((double)delay[side]!["p5"]! <= (double)delay[side]!["mean"]! && (double)delay[side]!["mean"]! <= (double)delay[side]!["p95"]!, side);
            Assert.True((double)delay["delta"]!["mean"]! > 0); // 30 % more trips: more delay, at every demand level
        }
        double Trips(JsonNode point) => (double)point["kpis"]!.AsArray().Single(k => (string?)k!["kpi"] == "tripsCompleted")!["baseline"]!["mean"]!;
        Assert.True(Trips(points[2]!) > Trips(points[0]!) * 1.25);
        Assert.Equal(30, view["runsBySilo"]!.AsObject().Sum(s => (int)s.Value!));

        var runs = await Json.ReadAsync(await Http.GetAsync(location + "?runs=true"));
        Assert.Equal(Enumerable.Range(0, 30), runs["runOutcomes"]!.AsArray().Select(o => (int)o!["index"]!));
        Assert.Equal([7, 8, 9, 10, 11, 12, 13, 14, 15, 16], runs["runOutcomes"]!.AsArray().Take(10).Select(o => (int)o!["seed"]!));
        var recent = await Json.ReadAsync(await Http.GetAsync("/api/sweeps?limit=100"));
        Assert.Contains(recent["sweeps"]!.AsArray(), s => (string?)s!["id"] == (string?)accepted["id"]);
    }

    [Fact]
    public async Task A_bad_sweep_is_a_400_naming_its_fields_and_unknown_ids_are_404()
    {
        var response = await Http.PostAsync("/api/sweeps", Json.Body("""
            { "name": "bad", "seeds": 0,
              "range": { "parameter": "perturbations[0].factor", "from": 1, "to": 2, "step": 0.5 },
              "scenario": { "name": "x", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z",
                            "perturbations": [ { "kind": "linkDown", "targetId": "no-such-link" } ] } }
            """));
        var fields = Json.ErrorFields(await Json.AssertProblemAsync(response, 400, "validation"));
        Assert.Contains("seeds", fields);
        Assert.Contains("range.parameter", fields); // a linkDown has no factor

        var unknownLink = await Http.PostAsync("/api/sweeps", Json.Body("""
            { "name": "bad", "seeds": 2, "scenario": { "name": "x", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z",
              "perturbations": [ { "kind": "linkDown", "targetId": "no-such-link" } ] } }
            """));
        Assert.Equal(["scenario.perturbations[0].targetId"], Json.ErrorFields(await Json.AssertProblemAsync(unknownLink, 400, "validation")));
        var tooMany = await Http.PostAsync("/api/sweeps", Json.Body("""
            { "name": "big", "seeds": 500, "range": { "parameter": "demand.scale", "from": 1, "to": 2, "step": 0.5 },
              "scenario": { "name": "x", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z" } }
            """));
        Assert.Equal(["range"], Json.ErrorFields(await Json.AssertProblemAsync(tooMany, 400, "validation")));

        await Json.AssertProblemAsync(await Http.GetAsync("/api/sweeps/swp-nope"), 404, "not-found");
        await Json.AssertProblemAsync(await Http.DeleteAsync("/api/sweeps/swp-nope"), 404, "not-found");
        await Json.AssertProblemAsync(await Http.GetAsync("/api/sweeps/%20bad%20"), 400, "validation");
        await Json.AssertProblemAsync(await Http.GetAsync("/api/sweeps/swp-nope?runs=maybe"), 400, "validation");
    }

    [Fact]
    public async Task A_running_sweep_can_be_cancelled_and_keeps_what_finished()
    {
        var response = await Http.PostAsync("/api/sweeps", Json.Body("""
            { "name": "long", "seeds": 50, "scenario": { "name": "a long day", "snapshotId": "city", "start": "2026-11-30T00:00:00Z",
              "horizonSeconds": 86400, "intervalSeconds": 3600 } }
            """));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();

        var cancelled = await Json.ReadAsync(await Http.DeleteAsync(location));

        Assert.Equal("cancelled", (string?)cancelled["status"]);
        var after = await Json.ReadAsync(await Http.GetAsync(location));
        Assert.Equal("cancelled", (string?)after["status"]);
        Assert.True((int)after["result"]!["completed"]! < 50);
    }
}
