using static CityTwin.Console.Tests.ConsoleFixture;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Serialization;
using Microsoft.Playwright;

namespace CityTwin.Console.Tests;

/// <summary>
/// The console's what-if view, in Debian's chromium against a real silo and API: an engineer runs a small scenario to
/// completion and reads its comparison (checked against the API's own comparison of that scenario), the API's field
/// errors land on the fields they name, a running scenario is cancelled, viewers get no what-if controls at all and
/// operators only the signal plans engineers found.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class WhatIfConsoleTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Run = TimeSpan.FromSeconds(90);


    private Task<(IPage Page, List<string> Errors, HttpClient Http)> SignInAsync(string role) => fixture.SignInAsync(role, output);


    /// <summary>Opens the view (engineer) and waits for the examples the API serves to be offered.</summary>
    private async Task OpenAsync(IPage page, HttpClient http)
    {
        var examples = (await http.GetFromJsonAsync<JsonObject>("/api/scenarios/examples"))!["examples"]!.AsArray();
        Assert.NotEmpty(examples);
        await page.Locator("#whatif-toggle").ClickAsync();
        await WaitForAsync(page, $"() => document.getElementById('whatif').dataset.examples === '{examples.Count}' && !document.getElementById('whatif').hidden", Live, "the what-if view with its examples");
        var offered = await page.Locator("#whatif-example option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        Assert.Equal(examples.Select(e => (string)e!["id"]!), offered);
    }

    /// <summary>A small spec through the form: one district, half an hour, no warm-up, the perturbations replaced by one.</summary>
    private static async Task FillAsync(IPage page, string name, string district, int horizonSeconds, string kind, IReadOnlyDictionary<string, string> perturbation, double trips = 40)
    {
        await page.Locator("#whatif-name").FillAsync(name);
        await page.Locator("#whatif-snapshotId").FillAsync(district);
        await page.Locator("#whatif-start").FillAsync("2026-11-30T08:00:00Z");
        await page.Locator("#whatif-horizonSeconds").FillAsync(horizonSeconds.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#whatif-intervalSeconds").FillAsync("300");
        await page.Locator("#whatif-warmUpSeconds").FillAsync("0");
        await page.Locator("#whatif-seed").FillAsync("5");
        await page.Locator("#whatif-demand-tripsPerHourPerIntersection").FillAsync(trips.ToString(CultureInfo.InvariantCulture));
        while (await page.Locator("#whatif-perturbations > li").CountAsync() > 0)
            await page.Locator("#whatif-perturbations > li").First.Locator("button[aria-label^='Remove']").ClickAsync();
        await page.Locator("#whatif-add-kind").SelectOptionAsync(kind);
        await page.Locator("#whatif-add").ClickAsync();
        foreach (var (field, value) in perturbation) await page.Locator($"#whatif-perturbations-0-{field}").FillAsync(value);
    }

    private static async Task<int> ScenarioCountAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonObject>("/api/scenarios?limit=100"))!["scenarios"]!.AsArray().Count;

    [BrowserFact]
    public async Task An_engineer_runs_a_scenario_to_completion_and_its_comparison_matches_the_api()
    {
        RequireBrowser();
        var (page, errors, http) = await SignInAsync("engineer");
        await OpenAsync(page, http);

        // A junction's controller dies at the start of a busy half hour: the variant's delay must grow. (At light demand an
        // all-way stop can cost less than a fixed plan's red, as it does in SUMO; so the demand is heavy.)
        var intersection = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).OrderBy(a => a.Id, StringComparer.Ordinal).Skip(5).First();
        await FillAsync(page, "console: controller fault", intersection.District, 1800, "controllerFault",
            new Dictionary<string, string> { ["atSeconds"] = "0", ["targetId"] = intersection.Id }, trips: 400);
        var spec = JsonNode.Parse(await page.Locator("#whatif-json").InputValueAsync())!;
        Assert.Equal(intersection.Id, (string?)spec["perturbations"]![0]!["targetId"]);
        Assert.Equal(1800, (int)spec["horizonSeconds"]!);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await page.Locator("#whatif-run").ClickAsync();
        await WaitForAsync(page, "() => !!document.getElementById('whatif').dataset.scenario", Live, "the scenario accepted");
        var id = (await page.Locator("#whatif").GetAttributeAsync("data-scenario"))!;
        await WaitForAsync(page, $"() => document.getElementById('whatif-result').dataset.compared === '{id}'", Run, "the comparison");
        output.WriteLine($"{id}: submitted → comparison shown in {clock.ElapsedMilliseconds} ms");

        // The API's view of the same scenario is the oracle.
        var view = (await http.GetFromJsonAsync<JsonObject>($"/api/scenarios/{id}"))!;
        Assert.Equal("completed", (string?)view["status"]);
        Assert.Equal("console: controller fault", (string?)view["name"]);
        var compare = (await http.GetFromJsonAsync<JsonObject>($"/api/scenarios/{id}/compare?top=10"))!;
        var delta = compare["city"]!["delta"]!.AsObject();
        Assert.True((double)delta["meanDelaySeconds"]! > 0, $"a dead controller added no delay: {delta.ToJsonString()}");

        // The chart is drawn (uPlot's canvas), baseline and variant.
        Assert.True(await page.Locator("#whatif-chart canvas").CountAsync() >= 1);
        Assert.Equal(2, await page.Locator("#whatif-chart .u-legend .u-series").CountAsync() - 1);
        // Every city KPI delta shown is the API's, to the bit; the trips too.
        foreach (var (kpi, value) in delta)
        {
            var row = page.Locator($"#whatif-kpis tr[data-kpi='{kpi}']");
            Assert.Equal(1, await row.CountAsync());
            Assert.Equal((double)value!, double.Parse((await row.GetAttributeAsync("data-delta"))!, CultureInfo.InvariantCulture));
            Assert.Equal((double)compare["city"]!["variant"]![kpi]!, double.Parse((await row.GetAttributeAsync("data-variant"))!, CultureInfo.InvariantCulture));
        }
        var trips = compare["trips"]!;
        Assert.Equal((double)trips["variant"]! - (double)trips["baseline"]!,
            double.Parse((await page.Locator("#whatif-kpis tr[data-kpi='tripsCompleted']").GetAttributeAsync("data-delta"))!, CultureInfo.InvariantCulture));
        // It changed something, so the console does not say otherwise.
        Assert.Equal(0, await page.Locator("#whatif-nochange").CountAsync());

        // The most-changed intersections, in the API's order; the faulted one first; ringed on the map.
        var apiIntersections = compare["intersections"]!.AsArray().Select(i => (string)i!["id"]!).ToList();
        var shown = await page.Locator("#whatif-intersections tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");
        Assert.Equal(apiIntersections, shown);
        Assert.Contains(intersection.Id, shown.Take(3));
        var highlighted = await page.EvaluateAsync<string[]>("window.__citytwin.whatif.highlighted");
        Assert.Contains(intersection.Id, highlighted);
        Assert.Equal(highlighted.Length, await page.Locator("path.whatif-mark").CountAsync());

        // Listed with the past scenarios, completed.
        await WaitForAsync(page, $"() => document.querySelector('#whatif-recent li[data-id=\"{id}\"]')?.dataset.status === 'completed'", Live, "the scenario in the recent list");

        await page.Locator("#whatif-show").ClickAsync();
        await ConsoleFixture.ScreenshotAsync(page, "engineer-whatif");
        Assert.Empty(errors);

        // A perturbation that changes nothing is said to: demand × 1 is the baseline's demand.
        await FillAsync(page, "console: demand x1", intersection.District, 600, "demandFactor", new Dictionary<string, string> { ["factor"] = "1" });
        await page.Locator("#whatif-run").ClickAsync();
        await WaitForAsync(page, $"() => document.getElementById('whatif').dataset.scenario !== '{id}' && !!document.getElementById('whatif-result').dataset.compared", Run, "the second comparison");
        var second = (await page.Locator("#whatif").GetAttributeAsync("data-scenario"))!;
        var same = (await http.GetFromJsonAsync<JsonObject>($"/api/scenarios/{second}/compare"))!;
        Assert.All(same["city"]!["delta"]!.AsObject(), kv => Assert.Equal(0, (double)kv.Value!));
        Assert.Contains("changes nothing", await page.Locator("#whatif-nochange").InnerTextAsync());
        Assert.Equal(0, await page.Locator("path.whatif-mark").CountAsync());
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task The_apis_field_errors_are_shown_on_the_fields_of_an_invalid_spec_and_nothing_runs()
    {
        RequireBrowser();
        var (page, errors, http) = await SignInAsync("engineer");
        await OpenAsync(page, http);
        var before = await ScenarioCountAsync(http);
        var district = fixture.City.Assets[0].District;
        var link = fixture.City.Assets.First(a => a.Type == AssetType.Link);

        // Too short a horizon: the API's validation names horizonSeconds; the console marks that field.
        await FillAsync(page, "console: invalid", district, 5, "linkDown", new Dictionary<string, string> { ["targetId"] = link.Id });
        await page.Locator("#whatif-run").ClickAsync();
        await WaitForAsync(page, "() => document.getElementById('whatif-horizonSeconds').getAttribute('aria-invalid') === 'true'", Live, "the horizon's field error");
        var message = await page.Locator("#whatif-horizonSeconds ~ .field-error").InnerTextAsync();
        Assert.Contains("must be between 60 and", message);
        await ConsoleFixture.ScreenshotAsync(page, "engineer-whatif-invalid");

        // Fixed, but the link does not exist in the snapshot: the error moves to the perturbation's target.
        await page.Locator("#whatif-horizonSeconds").FillAsync("600");
        await page.Locator("#whatif-perturbations-0-targetId").FillAsync("leo-nowhere-9");
        await page.Locator("#whatif-run").ClickAsync();
        await WaitForAsync(page, "() => document.getElementById('whatif-perturbations-0-targetId').getAttribute('aria-invalid') === 'true'", Live, "the target's field error");
        Assert.Contains("refers to unknown link 'leo-nowhere-9'", await page.Locator("#whatif-perturbations-0-targetId ~ .field-error").InnerTextAsync());
        Assert.Null(await page.Locator("#whatif-horizonSeconds").GetAttributeAsync("aria-invalid"));

        // Not a number at all: the API's malformed-JSON problem names the field too.
        await page.Locator("#whatif-perturbations-0-targetId").FillAsync(link.Id);
        await page.Locator("#whatif-seed").FillAsync("five");
        await page.Locator("#whatif-run").ClickAsync();
        await WaitForAsync(page, "() => document.getElementById('whatif-seed').getAttribute('aria-invalid') === 'true'", Live, "the seed's field error");

        // None of them was accepted.
        Assert.Equal(before, await ScenarioCountAsync(http));
        Assert.Null(await page.Locator("#whatif").GetAttributeAsync("data-scenario"));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task An_engineer_cancels_a_running_scenario_and_is_told_there_is_nothing_to_compare()
    {
        RequireBrowser();
        var (page, errors, http) = await SignInAsync("engineer");
        await OpenAsync(page, http);

        // A run long enough to be caught running whatever the machine: a day at heavy demand over a 20,000-asset city
        // sent inline (the fixture's own city runs a day in seconds), opened from the recent scenarios as an engineer
        // would open one a colleague started.
        var big = CityGenerator.Generate(new CitySpec { TargetAssets = 20_000, Seed = 11 });
        var spec = new ScenarioSpec
        {
            Name = "console: a long day", Assets = [.. big.Assets], Start = DateTimeOffset.Parse("2026-11-30T08:00:00Z", CultureInfo.InvariantCulture),
            HorizonSeconds = ScenarioSpec.MaxHorizonSeconds, IntervalSeconds = 60, WarmUpSeconds = 0, Seed = 5,
            Demand = new DemandSpec { TripsPerHourPerIntersection = 2_000 },
            Perturbations = [new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 1.5 }],
        };
        using var submitted = await http.PostAsync("/api/scenarios", JsonContent.Create(spec, options: CityTwinJson.Options));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (string)(await submitted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await page.Locator("#whatif-recent-refresh").ClickAsync();
        await WaitForAsync(page, $"() => !!document.querySelector('#whatif-recent li[data-id=\"{id}\"] button')", Live, "the long run in the recent scenarios");
        await page.Locator($"#whatif-recent li[data-id=\"{id}\"] button").ClickAsync();
        await WaitForAsync(page, $"() => document.getElementById('whatif').dataset.scenario === '{id}' && document.getElementById('whatif').dataset.status === 'running' && !document.getElementById('whatif-cancel').hidden", Run, "the scenario running");
        await page.Locator("#whatif-cancel").ClickAsync();
        // Cancelling is cooperative: the run stops at its next check, which on a loaded machine may be seconds away
        // (routes and assignment for the big city come before the first simulated step).
        await WaitForAsync(page, "() => document.getElementById('whatif').dataset.status === 'cancelled'", Run, "the scenario cancelled");
        Assert.Contains("nothing to compare", await page.Locator("#whatif-result").InnerTextAsync());
        Assert.True(await page.Locator("#whatif-cancel").IsHiddenAsync());
        Assert.Equal("cancelled", (string?)(await http.GetFromJsonAsync<JsonObject>($"/api/scenarios/{id}"))!["status"]);
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Viewers_get_no_what_if_controls_and_operators_only_the_plans_found()
    {
        RequireBrowser();
        var (page, errors, http) = await SignInAsync("viewer");
        Assert.True(await page.Locator("#whatif-toggle").IsHiddenAsync(), "viewer: the What-if button is shown");
        Assert.True(await page.Locator("#whatif").IsHiddenAsync(), "viewer: the what-if view is shown");
        Assert.Equal(0, await page.Locator("#whatif *").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("'whatif' in window.__citytwin"));
        // And the API refuses them a run anyway.
        using (var refused = await http.PostAsJsonAsync("/api/scenarios", new { name = "x", snapshotId = "city", start = "2026-11-30T08:00:00Z" }))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await ConsoleFixture.ScreenshotAsync(page, "viewer-no-whatif");
        Assert.Empty(errors);
        await page.Context.CloseAsync();

        // An operator applies the plans engineers found, so sees them — and no scenario, sweep or search form.
        (page, errors, http) = await SignInAsync("operator");
        Assert.Equal("Signal plans", await page.Locator("#whatif-toggle").InnerTextAsync());
        await page.Locator("#whatif-toggle").ClickAsync();
        await WaitForAsync(page, "() => !document.getElementById('whatif').hidden && !!document.querySelector('#optimise-recent li')", Live, "the plans found");
        foreach (var form in new[] { "#whatif-form", "#sweep", "#optimise-form", "#whatif-recent" })
            Assert.Equal(0, await page.Locator(form).CountAsync());
        using (var refused = await http.PostAsJsonAsync("/api/scenarios", new { name = "x", snapshotId = "city", start = "2026-11-30T08:00:00Z" }))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await ConsoleFixture.ScreenshotAsync(page, "operator-plans-only");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}
