using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Serialization;

namespace CityTwin.EndToEnd;

/// <summary>
/// Signal-plan optimisation through the API: an engineer searches plans for three junctions of the city's last
/// district (put on lopsided fixed-time plans first, by import), an operator applies the best to the live junctions,
/// a plan changed meanwhile makes the revert refuse to change anything, and the revert then puts every plan back.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OptimisationApiTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static readonly SignalPlan Lopsided = SignalPlan.TwoPhase() with
    {
        Phases = [.. SignalPlan.TwoPhase().Phases.Select((p, k) => p with { GreenSeconds = k == 0 ? 12 : 70 })],
    };

    private async Task<SignalPlan> PlanOf(string id) =>
        JsonSerializer.Deserialize<Asset>((await Json.ReadAsync(await Http.GetAsync($"/api/assets/{id}"))).ToJsonString(), CityTwinJson.Options)!.Intersection!.Plan;

    [Fact]
    public async Task Best_plans_are_applied_all_or_none_and_reverted_with_their_before_and_after_kept()
    {
        // The city's last three junctions (other tests name the first ones), set back as they were at the end.
        var originals = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).OrderByDescending(a => a.Id, StringComparer.Ordinal).Take(3)
            .OrderBy(a => a.Id, StringComparer.Ordinal).ToArray();
        var district = originals[0].District;
        var junctions = originals.Select(a => a with { Intersection = a.Intersection! with { Mode = ControlMode.FixedTime, Plan = Lopsided } }).ToArray();
        Assert.True((await ApiFixture.ImportAsync(Http, junctions)).IsSuccessStatusCode);
        try
        {
            await OptimiseApplyAndRevertAsync(district, [.. junctions.Select(j => j.Id)]);
        }
        finally
        {
            await ApiFixture.ImportAsync(Http, originals);
        }
    }

    private async Task OptimiseApplyAndRevertAsync(string district, string[] ids)
    {

        var response = await Http.PostAsync("/api/optimisations", Json.Body(JsonSerializer.Serialize(new
        {
            name = "retime the lopsided three",
            scenario = new { name = "evening", snapshotId = district, start = "2026-11-30T16:00:00Z", horizonSeconds = 1800, warmUpSeconds = 300,
                             demand = new { tripsPerHourPerIntersection = 60 } },
            intersectionIds = ids,
            maxEvaluations = 16,
        })));
        var accepted = await Json.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, accepted.ToJsonString());
        var location = response.Headers.Location!.ToString();

        var view = await ScenarioApiTests.UntilFinishedAsync(Http, location, 120_000);
        var listed = (await Json.ReadAsync(await Http.GetAsync("/api/optimisations?limit=100")))["optimisations"]!.AsArray();
        Assert.Contains(listed, o => (string?)o!["id"] == (string?)accepted["id"] && (string?)o["status"] == "completed");

        Assert.Equal("completed", (string?)view["status"]);
        var result = view["result"]!;
        Assert.True((double)result["bestDelaySeconds"]! < (double)result["currentDelaySeconds"]!, result.ToJsonString());
        Assert.Equal(3, result["checkSeedsDelaySavedSeconds"]!.AsArray().Count);
        Assert.Equal(ids, result["plans"]!.AsArray().Select(p => (string)p!["intersectionId"]!));
        var best = result["plans"]!.AsArray().ToDictionary(p => (string)p!["intersectionId"]!, p => JsonSerializer.Deserialize<SignalPlan>(p!["best"]!.ToJsonString(), CityTwinJson.Options)!);
        var changed = best.Where(b => !b.Value.SameAs(Lopsided)).Select(b => b.Key).ToArray();
        Assert.NotEmpty(changed);

        // Applied: the live junctions run the best plans; a second apply has nothing to do.
        var applied = await Json.ReadAsync(await Http.PostAsync(location + "/apply", null));
        Assert.Equal("applied", (string?)applied["plans"]);
        foreach (var id in changed) Assert.True((await PlanOf(id)).SameAs(best[id]), id);
        await Json.AssertProblemAsync(await Http.PostAsync(location + "/apply", null), 409, "scenario-not-finished");
        var change = applied["changes"]!.AsArray().Single()!;
        Assert.Equal("apply", (string?)change["action"]);
        Assert.Equal(changed, change["intersections"]!.AsArray().Select(c => (string)c!["intersectionId"]!));

        // An operator retimes one junction by hand: the revert would undo more than the apply did, so it changes nothing.
        var manual = Lopsided with { CycleSeconds = 100, Phases = [.. Lopsided.Phases.Select(p => p with { GreenSeconds = 46 })] };
        var set = await Http.PostAsync($"/api/intersections/{changed[0]}/plan", Json.Body(JsonSerializer.Serialize(new { plan = manual }, CityTwinJson.Options)));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await Json.AssertProblemAsync(await Http.PostAsync(location + "/revert", null), 409, "plan-conflict");
        foreach (var id in changed.Skip(1)) Assert.True((await PlanOf(id)).SameAs(best[id]), id);
        Assert.True((await PlanOf(changed[0])).SameAs(manual));

        // Put back by hand, the revert goes through: every junction runs its plan of before.
        await Http.PostAsync($"/api/intersections/{changed[0]}/plan", Json.Body(JsonSerializer.Serialize(new { plan = best[changed[0]] }, CityTwinJson.Options)));
        var reverted = await Json.ReadAsync(await Http.PostAsync(location + "/revert", null));
        Assert.Equal("reverted", (string?)reverted["plans"]);
        foreach (var id in ids) Assert.True((await PlanOf(id)).SameAs(Lopsided), id);
        Assert.Equal(["apply", "revert"], reverted["changes"]!.AsArray().Select(c => (string)c!["action"]!));
        var audit = await Json.ReadAsync(await Http.GetAsync("/api/audit?limit=200"));
        Assert.Contains(audit["entries"]!.AsArray(), e => (string?)e!["action"] == "optimisation.apply" && (string?)e["outcome"] == "done");
    }

    [Fact]
    public async Task A_bad_optimisation_is_a_400_naming_its_fields_and_a_bad_plan_is_refused()
    {
        var response = await Http.PostAsync("/api/optimisations", Json.Body("""
            { "name": "bad", "maxEvaluations": 0, "intersectionIds": ["int-nope"],
              "scenario": { "name": "x", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z", "perturbations": [ { "kind": "demandFactor", "factor": 2 } ] } }
            """));
        var fields = Json.ErrorFields(await Json.AssertProblemAsync(response, 400, "validation"));
        Assert.Contains("maxEvaluations", fields);
        Assert.Contains("scenario.perturbations", fields);

        var unknown = await Http.PostAsync("/api/optimisations", Json.Body("""
            { "name": "x", "intersectionIds": ["int-nope"], "scenario": { "name": "x", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z" } }
            """));
        Assert.Equal(["intersectionIds[0]"], Json.ErrorFields(await Json.AssertProblemAsync(unknown, 400, "validation")));
        await Json.AssertProblemAsync(await Http.GetAsync("/api/optimisations/opt-nope"), 404, "not-found");
        await Json.AssertProblemAsync(await Http.PostAsync("/api/optimisations/opt-nope/apply", null), 404, "not-found");

        var intersection = fixture.City.Assets.First(a => a.Type == AssetType.Intersection).Id;
        var tooShort = await Http.PostAsync($"/api/intersections/{intersection}/plan", Json.Body("""{ "plan": { "cycleSeconds": 10, "phases": [] } }"""));
        var planFields = Json.ErrorFields(await Json.AssertProblemAsync(tooShort, 400, "validation"));
        Assert.Contains("plan.cycleSeconds", planFields);
        await Json.AssertProblemAsync(await Http.PostAsync($"/api/intersections/{intersection}/plan", Json.Body("{}")), 400, "validation");
    }
}
