using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Serialization;

namespace CityTwin.Api.Endpoints;

/// <summary>What-if scenarios: submit a spec, watch it run on the silos, compare baseline and variant, cancel.</summary>
public static class ScenarioEndpoints
{
    /// <summary>A spec may carry its assets inline: allow more than a single asset's body.</summary>
    public const long MaxSpecBytes = 32L << 20;
    public const int MaxTop = 1_000;
    public const int MaxList = IScenarioIndexGrain.Capacity;
    public const int RetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapScenarioEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/scenarios", Submit).WithTags("Scenarios")
            .WithSummary("Submit a what-if scenario (snapshotId: a district id or 'city', or the assets inline); 202 with its Location");
        app.MapGet("/api/scenarios", List).WithTags("Scenarios").WithSummary("The most recent scenarios, newest first");
        app.MapGet("/api/scenarios/{id}", Get).WithTags("Scenarios").WithSummary("A scenario's status, progress and result summary");
        app.MapGet("/api/scenarios/{id}/compare", Compare).WithTags("Scenarios")
            .WithSummary("Baseline against variant: KPI totals and deltas for the city, and the districts, intersections and links that changed most");
        app.MapDelete("/api/scenarios/{id}", Cancel).WithTags("Scenarios").WithSummary("Cancel a queued or running scenario");
        return app;
    }

    private static async Task<IResult> Submit(HttpContext context, IGrainFactory grains, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<ScenarioSpec>(context.Request, MaxSpecBytes, ct);
        if (body.Problem is not null) return body.Problem;
        var id = IScenarioGrain.IdPrefix + Guid.NewGuid().ToString("N")[..20];
        var started = await grains.GetGrain<IScenarioGrain>(id).StartAsync(body.Value!);
        switch (started.Outcome)
        {
            case ScenarioStartOutcome.Invalid:
                return Problems.Invalid(started.Errors, "The scenario is invalid");
            case ScenarioStartOutcome.QueueFull:
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(type: Problems.ScenarioQueueFull, title: "Scenario queue full", statusCode: 503,
                    detail: $"Every scenario slot and queue place is taken; try again in {RetryAfterSeconds} s.");
            case ScenarioStartOutcome.Exists:
                return Results.Problem(type: Problems.BadRequest, title: "Scenario exists", statusCode: 409, detail: $"A scenario with the id '{id}' exists.");
            default:
                var location = $"/api/scenarios/{id}";
                context.Response.Headers.Location = location;
                return Results.Json(new { Id = id, Status = ScenarioStatus.Queued, Location = location, Compare = location + "/compare" },
                    CityTwinJson.Options, statusCode: 202);
        }
    }

    private static async Task<IResult> List(IGrainFactory grains, string? limit)
    {
        var count = QueryValues.Int("limit", limit, 1, MaxList, 20);
        if (count.Problem is not null) return count.Problem;
        var ids = await grains.GetGrain<IScenarioIndexGrain>(IScenarioIndexGrain.Key).RecentAsync(count.Value);
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IScenarioGrain>(id).GetAsync(includeResult: false)));
        return Results.Json(new { Scenarios = views.OfType<ScenarioView>().Select(Summary) }, CityTwinJson.Options);
    }

    private static async Task<IResult> Get(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid scenario id");
        var view = await grains.GetGrain<IScenarioGrain>(id).GetAsync(includeResult: false);
        return view is null ? Problems.ScenarioNotFound(id) : Results.Json(Summary(view), CityTwinJson.Options);
    }

    private static async Task<IResult> Cancel(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid scenario id");
        var view = await grains.GetGrain<IScenarioGrain>(id).CancelAsync();
        return view is null ? Problems.ScenarioNotFound(id) : Results.Json(Summary(view), CityTwinJson.Options);
    }

    private static async Task<IResult> Compare(string id, IGrainFactory grains, string? top)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid scenario id");
        var n = QueryValues.Int("top", top, 1, MaxTop, 20);
        if (n.Problem is not null) return n.Problem;
        var view = await grains.GetGrain<IScenarioGrain>(id).GetAsync(includeResult: true);
        if (view is null) return Problems.ScenarioNotFound(id);
        if (view is not { Status: ScenarioStatus.Completed, Result: { } r })
            return Results.Problem(type: Problems.ScenarioNotFinished, title: "Scenario not completed", statusCode: 409,
                detail: $"Scenario '{id}' is {view.Status.ToString().ToLowerInvariant()}: there is nothing to compare" +
                        (view.Error is { } e ? $" ({e})." : "."));
        return Results.Json(new
        {
            view.Id,
            r.Name,
            r.Seed,
            r.HorizonSeconds,
            r.IntervalEndSeconds,
            Trips = new
            {
                Baseline = r.BaselineTripsCompleted,
                Variant = r.VariantTripsCompleted,
                BaselineMeanTimeLossSeconds = r.BaselineMeanTimeLossSeconds,
                VariantMeanTimeLossSeconds = r.VariantMeanTimeLossSeconds,
            },
            City = Row(r.City),
            CitySeries = new { r.City.Baseline, r.City.Variant },
            DistrictCount = r.Districts.Length,
            Districts = r.Districts.OrderByDescending(d => d.Delta.MeanDelaySeconds).ThenBy(d => d.Id, StringComparer.Ordinal).Take(n.Value).Select(Row),
            IntersectionCount = r.Intersections.Length,
            Intersections = r.Intersections.OrderByDescending(i => i.DelayDeltaSeconds).ThenBy(i => i.Id, StringComparer.Ordinal).Take(n.Value)
                .Select(i => new { i.Id, i.District, i.Baseline, i.Variant, i.DelayDeltaSeconds }),
            LinkCount = r.Links.Length,
            Links = r.Links.OrderBy(l => l.Variant.Availability - l.Baseline.Availability).ThenBy(l => l.Id, StringComparer.Ordinal).Take(n.Value)
                .Select(l => new { l.Id, l.District, l.Baseline, l.Variant }),
        }, CityTwinJson.Options);
    }

    private static object Row(AreaResult a) => new { a.Id, Baseline = a.BaselineTotals, Variant = a.VariantTotals, a.Delta };

    private static object Summary(ScenarioView v) => new
    {
        v.Id,
        v.Name,
        v.Status,
        v.Progress,
        v.SubmittedAt,
        v.StartedAt,
        v.FinishedAt,
        v.Error,
        v.SnapshotAssets,
        v.SnapshotSeconds,
        Links = new { Self = $"/api/scenarios/{v.Id}", Compare = $"/api/scenarios/{v.Id}/compare" },
        Summary = (v.Summary ?? v.Result) is { } r
            ? new
            {
                City = Row(r.City),
                BaselineTripsCompleted = r.BaselineTripsCompleted,
                VariantTripsCompleted = r.VariantTripsCompleted,
                BaselineMeanTimeLossSeconds = r.BaselineMeanTimeLossSeconds,
                VariantMeanTimeLossSeconds = r.VariantMeanTimeLossSeconds,
            }
            : null,
    };
}
