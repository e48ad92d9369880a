using static CityTwin.Console.Tests.ConsoleFixture;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.GeoJson;
using CityTwin.Domain.Serialization;
using Microsoft.Playwright;

namespace CityTwin.Console.Tests;

/// <summary>
/// Sweeps and signal-plan searches in the what-if view, in Debian's chromium against a real silo and API: an engineer
/// sweeps the scenario in the form over seeds and a demand range and reads the API's own bands; an engineer searches
/// plans for two junctions, and an operator — who sees only the plans found — applies them to the live junctions
/// through the confirmation dialog and reverts them.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class JobsConsoleTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Run = TimeSpan.FromSeconds(120);

    private static readonly SignalPlan Lopsided = SignalPlan.TwoPhase() with
    {
        Phases = [.. SignalPlan.TwoPhase().Phases.Select((p, k) => p with { GreenSeconds = k == 0 ? 12 : 70 })],
    };

    private static async Task OpenAsync(IPage page)
    {
        await page.Locator("#whatif-toggle").ClickAsync();
        await WaitForAsync(page, "() => !document.getElementById('whatif').hidden && !!document.querySelector('#optimise-recent li')", Live, "the view with its recent plan searches");
    }

    /// <summary>The scenario in the form: one district, no warm-up beyond what is given, no perturbation but the ones named.</summary>
    private static async Task ScenarioAsync(IPage page, string name, string district, int horizonSeconds, int warmUpSeconds, double trips)
    {
        await page.Locator("#whatif-name").FillAsync(name);
        await page.Locator("#whatif-snapshotId").FillAsync(district);
        await page.Locator("#whatif-start").FillAsync("2026-11-30T16:00:00Z");
        await page.Locator("#whatif-horizonSeconds").FillAsync(horizonSeconds.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#whatif-intervalSeconds").FillAsync("300");
        await page.Locator("#whatif-warmUpSeconds").FillAsync(warmUpSeconds.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#whatif-seed").FillAsync("3");
        await page.Locator("#whatif-demand-tripsPerHourPerIntersection").FillAsync(trips.ToString(CultureInfo.InvariantCulture));
        while (await page.Locator("#whatif-perturbations > li").CountAsync() > 0)
            await page.Locator("#whatif-perturbations > li").First.Locator("button[aria-label^='Remove']").ClickAsync();
    }

    [BrowserFact]
    public async Task An_engineer_sweeps_seeds_and_a_demand_range_and_reads_the_apis_bands()
    {
        RequireBrowser();
        var (page, errors, http) = await fixture.SignInAsync("engineer", output);
        await OpenAsync(page);
        var intersection = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).OrderBy(a => a.Id, StringComparer.Ordinal).Skip(3).First();
        // Busy enough that the dead controller's all-way stop is slower than its signal: at light traffic a stop can be
        // the quicker of the two (SUMO's is, on the benchmark grid: docs/models.md#cross-check-with-sumo).
        await ScenarioAsync(page, "console sweep: controller fault", intersection.District, 900, 0, 160);
        await page.Locator("#whatif-add-kind").SelectOptionAsync("controllerFault");
        await page.Locator("#whatif-add").ClickAsync();
        await page.Locator("#whatif-perturbations-0-targetId").FillAsync(intersection.Id);

        // Refusals first, each on its field: no seeds (the sweep's), a horizon too short (the scenario's, in the form above).
        await page.Locator("#sweep-seeds").FillAsync("0");
        await page.Locator("#sweep-run").ClickAsync();
        await WaitForAsync(page, "() => document.getElementById('sweep-seeds').getAttribute('aria-invalid') === 'true'", Live, "the seeds' field error");
        await page.Locator("#sweep-seeds").FillAsync("3");
        await page.Locator("#whatif-horizonSeconds").FillAsync("5");
        await page.Locator("#sweep-run").ClickAsync();
        await WaitForAsync(page, "() => document.getElementById('whatif-horizonSeconds').getAttribute('aria-invalid') === 'true'", Live, "the horizon's field error");
        Assert.Null(await page.Locator("#sweep").GetAttributeAsync("data-job"));

        // 2 demand levels × 3 seeds.
        await page.Locator("#whatif-horizonSeconds").FillAsync("900");
        await page.Locator("#sweep-range-parameter").FillAsync("demand.scale");
        await page.Locator("#sweep-range-from").FillAsync("1");
        await page.Locator("#sweep-range-to").FillAsync("1.2");
        await page.Locator("#sweep-range-step").FillAsync("0.2");
        await page.Locator("#sweep-run").ClickAsync();
        await WaitForAsync(page, "() => !!document.getElementById('sweep').dataset.job", Live, "the sweep accepted");
        var id = (await page.Locator("#sweep").GetAttributeAsync("data-job"))!;
        await WaitForAsync(page, $"() => document.getElementById('sweep-result').dataset.shown === '{id}'", Run, "the sweep's bands");

        var view = (await http.GetFromJsonAsync<JsonObject>($"/api/sweeps/{id}"))!;
        Assert.Equal("completed", (string?)view["status"]);
        Assert.Equal(6, (int)view["runs"]!);
        var points = view["result"]!["points"]!.AsArray();
        Assert.Equal([1.0, 1.2], points.Select(p => Math.Round((double)p!["value"]!, 6)));
        var rows = page.Locator("#sweep-bands tbody tr");
        Assert.Equal(2, await rows.CountAsync());
        for (var k = 0; k < points.Count; k++)
        {
            var delay = points[k]!["kpis"]!.AsArray().Single(b => (string?)b!["kpi"] == "meanDelaySeconds")!["delta"]!;
            var cell = rows.Nth(k).Locator("td[data-kpi='meanDelaySeconds']");
            Assert.Equal((double)delay["mean"]!, double.Parse((await cell.GetAttributeAsync("data-mean"))!, CultureInfo.InvariantCulture));
            Assert.Equal((double)delay["p5"]!, double.Parse((await cell.GetAttributeAsync("data-p5"))!, CultureInfo.InvariantCulture));
            Assert.Equal((double)delay["p95"]!, double.Parse((await cell.GetAttributeAsync("data-p95"))!, CultureInfo.InvariantCulture));
            Assert.True((double)delay["mean"]! > 0, $"a dead controller added no delay at ×{points[k]!["value"]}: {delay.ToJsonString()}");
        }
        Assert.Contains("6 of 6 runs done", await page.Locator("#sweep-result").InnerTextAsync());
        await WaitForAsync(page, $"() => document.querySelector('#sweep-recent li[data-id=\"{id}\"]')?.dataset.status === 'completed'", Live, "the sweep in the recent list");
        await ScreenshotAsync(page, "engineer-sweep");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task An_engineer_searches_plans_and_an_operator_applies_and_reverts_them_in_the_console()
    {
        RequireBrowser();
        // Two junctions of one district on lopsided fixed-time plans (put back as they were at the end).
        var originals = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).GroupBy(a => a.District).OrderBy(g => g.Key, StringComparer.Ordinal).Last()
            .OrderByDescending(a => a.Id, StringComparer.Ordinal).Take(2).ToArray();
        var junctions = originals.Select(a => a with { Intersection = a.Intersection! with { Mode = ControlMode.FixedTime, Plan = Lopsided } }).ToArray();
        await ImportAsync(junctions);
        try
        {
            var (page, errors, http) = await fixture.SignInAsync("engineer", output);
            await OpenAsync(page);
            await ScenarioAsync(page, "console: retime two", originals[0].District, 1800, 300, 60);
            await page.Locator("#optimise-intersectionIds").FillAsync(string.Join(" ", junctions.Select(j => j.Id)));
            await page.Locator("#optimise-maxEvaluations").FillAsync("12");
            await page.Locator("#optimise-run").ClickAsync();
            await WaitForAsync(page, "() => !!document.getElementById('optimise').dataset.job", Live, "the search accepted");
            var id = (await page.Locator("#optimise").GetAttributeAsync("data-job"))!;
            await WaitForAsync(page, $"() => document.getElementById('optimise-result').dataset.shown === '{id}'", Run, "the plans found");
            var view = (await http.GetFromJsonAsync<JsonObject>($"/api/optimisations/{id}"))!;
            Assert.Equal("completed", (string?)view["status"]);
            var result = view["result"]!;
            Assert.True((double)result["delaySavedSeconds"]! > 0, result.ToJsonString());
            Assert.Equal(junctions.Select(j => j.Id).OrderBy(x => x, StringComparer.Ordinal),
                (await page.Locator("#optimise-plans tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)")).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Contains($"{(double)result["delaySavedSeconds"]!:0.0} s saved", await page.Locator("#optimise-summary").InnerTextAsync());
            // An engineer finds plans; putting them on live junctions is an operator's.
            Assert.Equal(0, await page.Locator("#optimise-apply").CountAsync());
            Assert.Contains("An operator applies", await page.Locator("#optimise-result").InnerTextAsync());
            Assert.Empty(errors);
            await page.Context.CloseAsync();

            // The operator: no scenario form, only the plans found.
            var (ops, opsErrors, opsHttp) = await fixture.SignInAsync("operator", output);
            Assert.Equal("Signal plans", await ops.Locator("#whatif-toggle").InnerTextAsync());
            await OpenAsync(ops);
            Assert.Equal(0, await ops.Locator("#whatif-form").CountAsync());
            Assert.Equal(0, await ops.Locator("#optimise-run").CountAsync());
            await ops.Locator($"#optimise-recent li[data-id=\"{id}\"] button").ClickAsync();
            await WaitForAsync(ops, $"() => document.getElementById('optimise-result').dataset.shown === '{id}'", Live, "the search opened");

            // Apply, confirmed in the dialog: the live junctions run the best plans.
            await ops.Locator("#optimise-apply").ClickAsync();
            await ops.Locator("#confirm-ok").ClickAsync();
            await WaitForAsync(ops, "() => document.getElementById('optimise-result').dataset.plans === 'applied'", Live, "the plans applied");
            var best = result["plans"]!.AsArray().ToDictionary(p => (string)p!["intersectionId"]!, p => JsonSerializer.Deserialize<SignalPlan>(p!["best"]!.ToJsonString(), CityTwinJson.Options)!);
            foreach (var (junction, plan) in best) Assert.True((await PlanOfAsync(opsHttp, junction)).SameAs(plan), junction);
            Assert.Contains("apply by", await ops.Locator("#optimise-history").InnerTextAsync());

            // A junction retimed by hand meanwhile: the revert is refused in the dialog, naming it, and nothing changes.
            var manual = Lopsided with { CycleSeconds = 100, Phases = [.. Lopsided.Phases.Select(p => p with { GreenSeconds = 46 })] };
            using (var set = await opsHttp.PostAsync($"/api/intersections/{junctions[0].Id}/plan", JsonContent.Create(new { plan = manual }, options: CityTwinJson.Options)))
                Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
            await ops.Locator("#optimise-revert").ClickAsync();
            await ops.Locator("#confirm-ok").ClickAsync();
            await WaitForAsync(ops, "() => document.getElementById('confirm-error').textContent !== ''", Live, "the revert refused");
            Assert.Contains(junctions[0].Id, await ops.Locator("#confirm-error").InnerTextAsync());
            await ops.Locator("#confirm-cancel").ClickAsync();
            Assert.True((await PlanOfAsync(opsHttp, junctions[1].Id)).SameAs(best[junctions[1].Id]));

            // Put back by hand, the revert goes through: both junctions run their plans of before.
            using (var back = await opsHttp.PostAsync($"/api/intersections/{junctions[0].Id}/plan", JsonContent.Create(new { plan = best[junctions[0].Id] }, options: CityTwinJson.Options)))
                Assert.True(back.IsSuccessStatusCode);
            await ops.Locator("#optimise-revert").ClickAsync();
            await ops.Locator("#confirm-ok").ClickAsync();
            await WaitForAsync(ops, "() => document.getElementById('optimise-result').dataset.plans === 'reverted'", Live, "the plans reverted");
            foreach (var j in junctions) Assert.True((await PlanOfAsync(opsHttp, j.Id)).SameAs(Lopsided), j.Id);
            await ScreenshotAsync(ops, "operator-plans");
            Assert.Empty(opsErrors);
            await ops.Context.CloseAsync();
        }
        finally
        {
            await ImportAsync(originals);
        }
    }

    private async Task ImportAsync(IEnumerable<Asset> assets)
    {
        using var body = new MemoryStream();
        await GeoJsonWriter.WriteAsync(body, assets, CancellationToken.None);
        using var response = await fixture.Twin.Http.PostAsync("/api/import", new ByteArrayContent(body.ToArray()) { Headers = { ContentType = new("application/geo+json") } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<SignalPlan> PlanOfAsync(HttpClient http, string id) =>
        JsonSerializer.Deserialize<Asset>((await http.GetFromJsonAsync<JsonObject>($"/api/assets/{id}"))!.ToJsonString(), CityTwinJson.Options)!.Intersection!.Plan;
}
