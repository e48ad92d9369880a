using CityTwin.Api.Audit;
using CityTwin.Api.Access;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>What-if scenarios: submit a spec, watch it run on the silos, compare baseline and variant, cancel.</summary>
public static class ScenarioEndpoints
{
    /// <summary>A spec may carry its assets inline: allow more than a single asset's body.</summary>
    public const long MaxSpecBytes = 32L << 20;
    public const int MaxTop = 1_000;
    public const int MaxList = IScenarioIndexGrain.Capacity;
    public const int RetryAfterSeconds = 5;

    public static RouteGroupBuilder MapScenarioEndpoints(this IEndpointRouteBuilder app)
    {
        var scenarios = app.MapGroup("/api/scenarios").WithTags("Scenarios");
        scenarios.MapPost("", Submit).RequireAuthorization(AccessPolicies.Engineer)
            .WithSummary("Submit a what-if scenario (snapshotId: a district id or 'city', or the assets inline); 202 with its Location");
        scenarios.MapGet("", List).RequireAuthorization(AccessPolicies.Read).WithSummary("The most recent scenarios, newest first");
        scenarios.MapGet("/examples", Examples).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("The example specs of docs/scenarios (link down at the evening peak, a controller fault, …), ready to submit");
        scenarios.MapGet("/{id}", Get).RequireAuthorization(AccessPolicies.Read).WithSummary("A scenario's status, progress and result summary");
        scenarios.MapGet("/{id}/compare", Compare).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Baseline against variant: KPI totals and deltas for the city, and the districts, intersections and links that changed most");
        scenarios.MapDelete("/{id}", Cancel).RequireAuthorization(AccessPolicies.Engineer).WithSummary("Cancel a queued or running scenario");
        return scenarios;
    }

    private static async Task<Results<Accepted<ScenarioSubmitted>, BadRequestProblem, BodyProblem, ConflictProblem, UnavailableProblem>> Submit(HttpContext context, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<ScenarioSpec>(context.Request, MaxSpecBytes, ct);
        if (body.Problem is not null) return body.Problem;
        var id = IScenarioGrain.IdPrefix + Guid.NewGuid().ToString("N")[..20];
        if (await audit.BeginAsync(caller, "scenario.submit", id, null, body.Value!.Name) is not { } entry) return CommandAudit.Unavailable();
        var started = await entry.RunAsync(() => grains.GetGrain<IScenarioGrain>(id).StartAsync(body.Value!), r => (r.Outcome.ToString().ToLowerInvariant(), null));
        switch (started.Outcome)
        {
            case ScenarioStartOutcome.Invalid:
                return Problems.Invalid(started.Errors, "The scenario is invalid");
            case ScenarioStartOutcome.QueueFull:
                return new UnavailableProblem(TypedResults.Problem(type: Problems.ScenarioQueueFull, title: "Scenario queue full", statusCode: 503,
                    detail: $"Every scenario slot and queue place is taken; try again in {RetryAfterSeconds} s."), RetryAfterSeconds);
            case ScenarioStartOutcome.Exists:
                return new ConflictProblem(TypedResults.Problem(type: Problems.BadRequest, title: "Scenario exists", statusCode: 409, detail: $"A scenario with the id '{id}' exists."));
            default:
                var location = $"/api/scenarios/{id}";
                return TypedResults.Accepted(location, new ScenarioSubmitted(id, ScenarioStatus.Queued, location, location + "/compare"));
        }
    }

    /// <summary>
    /// A what-if job's submission (a sweep, an optimisation): the spec read, audited, started under a new id; 202 with
    /// its Location, 400 naming each bad field, 503 + Retry-After when the silo's queue is full.
    /// </summary>
    internal static async Task<Results<Accepted<JobSubmitted>, BadRequestProblem, BodyProblem, ConflictProblem, UnavailableProblem>> SubmitJobAsync<TSpec>(
        HttpContext context, Caller caller, CommandAudit audit, string noun, string idPrefix, string resource, Func<TSpec, string> nameOf,
        Func<string, TSpec, Task<ScenarioStartResult>> start, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<TSpec>(context.Request, MaxSpecBytes, ct);
        if (body.Problem is not null) return body.Problem;
        var id = idPrefix + Guid.NewGuid().ToString("N")[..20];
        if (await audit.BeginAsync(caller, $"{noun}.submit", id, null, nameOf(body.Value!)) is not { } entry) return CommandAudit.Unavailable();
        var started = await entry.RunAsync(() => start(id, body.Value!), r => (r.Outcome.ToString().ToLowerInvariant(), null));
        var location = $"/api/{resource}/{id}";
        return started.Outcome switch
        {
            ScenarioStartOutcome.Invalid => Problems.Invalid(started.Errors, $"The {noun} is invalid"),
            ScenarioStartOutcome.QueueFull => new UnavailableProblem(TypedResults.Problem(type: Problems.ScenarioQueueFull, title: "Scenario queue full", statusCode: 503,
                detail: $"Every scenario slot and queue place is taken; try again in {RetryAfterSeconds} s."), RetryAfterSeconds),
            ScenarioStartOutcome.Exists => new ConflictProblem(TypedResults.Problem(type: Problems.BadRequest, title: $"The {noun} exists", statusCode: 409, detail: $"'{id}' exists.")),
            _ => TypedResults.Accepted(location, new JobSubmitted(id, ScenarioStatus.Queued, location)),
        };
    }

    /// <summary>The answer to a job's submission (202): where to poll.</summary>
    public sealed record JobSubmitted(string Id, ScenarioStatus Status, string Location);

    private static async Task<Results<Ok<ScenarioList>, BadRequestProblem>> List(IGrainFactory grains, string? limit)
    {
        var (views, problem) = await RecentAsync(grains, IScenarioIndexGrain.Key, limit, id => grains.GetGrain<IScenarioGrain>(id).GetAsync(includeResult: false));
        return problem ?? (Results<Ok<ScenarioList>, BadRequestProblem>)TypedResults.Ok(new ScenarioList(views.Select(Summary)));
    }

    /// <summary>
    /// The most recent jobs of one kind (scenarios, sweeps or optimisations: the index under <paramref name="key"/>),
    /// newest first, each read from its grain; or the problem with <paramref name="limit"/>.
    /// </summary>
    internal static async Task<(TView[] Views, BadRequestProblem? Problem)> RecentAsync<TView>(IGrainFactory grains, string key, string? limit, Func<string, Task<TView?>> read)
        where TView : class
    {
        var count = QueryValues.Int("limit", limit, 1, MaxList, 20);
        if (count.Problem is not null) return ([], count.Problem);
        var ids = await grains.GetGrain<IScenarioIndexGrain>(key).RecentAsync(count.Value);
        return ((await Task.WhenAll(ids.Select(read))).OfType<TView>().ToArray(), null);
    }

    private static Ok<ScenarioExampleList> Examples() => TypedResults.Ok(new ScenarioExampleList(ScenarioExamples.All));

    private static async Task<Results<Ok<ScenarioSummary>, BadRequestProblem, NotFoundProblem>> Get(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid scenario id");
        var view = await grains.GetGrain<IScenarioGrain>(id).GetAsync(includeResult: false);
        return view is null ? Problems.ScenarioNotFound(id) : TypedResults.Ok(Summary(view));
    }

    private static Task<Results<Ok<ScenarioSummary>, BadRequestProblem, NotFoundProblem, UnavailableProblem>> Cancel(string id, IGrainFactory grains, Caller caller, CommandAudit audit) =>
        CancelAsync(id, "scenario", caller, audit, async () => await grains.GetGrain<IScenarioGrain>(id).CancelAsync() is { } v ? Summary(v) : null,
            v => v.Status.ToString(), Problems.ScenarioNotFound);

    /// <summary>
    /// Cancels one job (<paramref name="kind"/>: scenario, sweep or optimisation), audited with the status it was left
    /// in; its view, or the problem with the id.
    /// </summary>
    internal static async Task<Results<Ok<TView>, BadRequestProblem, NotFoundProblem, UnavailableProblem>> CancelAsync<TView>(string id, string kind,
        Caller caller, CommandAudit audit, Func<Task<TView?>> cancel, Func<TView, string> status, Func<string, NotFoundProblem> notFound)
        where TView : class
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", $"is not a valid {kind} id");
        if (await audit.BeginAsync(caller, $"{kind}.cancel", id) is not { } entry) return CommandAudit.Unavailable();
        var view = await entry.RunAsync(cancel, v => v is null ? ("not-found", null) : ("ok", status(v)));
        return view is null ? notFound(id) : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<ScenarioComparison>, BadRequestProblem, NotFoundProblem, ConflictProblem>> Compare(string id, IGrainFactory grains, string? top)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid scenario id");
        var n = QueryValues.Int("top", top, 1, MaxTop, 20);
        if (n.Problem is not null) return n.Problem;
        var view = await grains.GetGrain<IScenarioGrain>(id).GetAsync(includeResult: true);
        if (view is null) return Problems.ScenarioNotFound(id);
        if (view is not { Status: ScenarioStatus.Completed, Result: { } r })
            return new ConflictProblem(TypedResults.Problem(type: Problems.ScenarioNotFinished, title: "Scenario not completed", statusCode: 409,
                detail: $"Scenario '{id}' is {view.Status.ToString().ToLowerInvariant()}: there is nothing to compare" +
                        (view.Error is { } e ? $" ({e})." : ".")));
        return TypedResults.Ok(new ScenarioComparison(
            view.Id,
            r.Name,
            r.Seed,
            r.HorizonSeconds,
            r.IntervalEndSeconds,
            new TripTotals(r.BaselineTripsCompleted, r.VariantTripsCompleted, r.BaselineMeanTimeLossSeconds, r.VariantMeanTimeLossSeconds),
            Row(r.City),
            new SeriesPair(r.City.Baseline, r.City.Variant),
            r.Districts.Length,
            r.Districts.OrderByDescending(d => d.Delta.MeanDelaySeconds).ThenBy(d => d.Id, StringComparer.Ordinal).Take(n.Value).Select(Row),
            r.Intersections.Length,
            r.Intersections.OrderByDescending(i => i.DelayDeltaSeconds).ThenBy(i => i.Id, StringComparer.Ordinal).Take(n.Value)
                .Select(i => new IntersectionRow(i.Id, i.District, i.Baseline, i.Variant, i.DelayDeltaSeconds)),
            r.Links.Length,
            r.Links.OrderBy(l => l.Variant.Availability - l.Baseline.Availability).ThenBy(l => l.Id, StringComparer.Ordinal).Take(n.Value)
                .Select(l => new LinkRow(l.Id, l.District, l.Baseline, l.Variant)),
            r.Notes,
            r.DemandFit));
    }

    private static AreaRow Row(AreaResult a) => new(a.Id, a.BaselineTotals, a.VariantTotals, a.Delta);

    private static ScenarioSummary Summary(ScenarioView v) => new(
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
        new ScenarioLinks($"/api/scenarios/{v.Id}", $"/api/scenarios/{v.Id}/compare"),
        (v.Summary ?? v.Result) is { } r
            ? new ScenarioOutcome(Row(r.City), r.BaselineTripsCompleted, r.VariantTripsCompleted, r.BaselineMeanTimeLossSeconds, r.VariantMeanTimeLossSeconds, r.Notes)
            : null);

    /// <summary>The answer to a submission (202): where to poll, and where the comparison will be.</summary>
    public sealed record ScenarioSubmitted(string Id, ScenarioStatus Status, string Location, string Compare);

    public sealed record ScenarioList(IEnumerable<ScenarioSummary> Scenarios);

    /// <summary>A scenario's status and progress; <c>summary</c> once it has completed.</summary>
    public sealed record ScenarioSummary(string Id, string Name, ScenarioStatus Status, double Progress, DateTimeOffset? SubmittedAt, DateTimeOffset? StartedAt,
        DateTimeOffset? FinishedAt, string? Error, int SnapshotAssets, double SnapshotSeconds, ScenarioLinks Links, ScenarioOutcome? Summary);

    public sealed record ScenarioLinks(string Self, string Compare);

    /// <param name="Notes">Perturbations that change nothing, and a variant equal to its baseline (<see cref="ScenarioResult.Notes"/>).</param>
    public sealed record ScenarioOutcome(AreaRow City, double BaselineTripsCompleted, double VariantTripsCompleted,
        double BaselineMeanTimeLossSeconds, double VariantMeanTimeLossSeconds, string[] Notes);

    /// <summary>An area's KPI totals in the baseline and the variant, and variant minus baseline.</summary>
    public sealed record AreaRow(string Id, KpiTotals Baseline, KpiTotals Variant, KpiTotals Delta);

    public sealed record ScenarioComparison(string Id, string Name, int Seed, int HorizonSeconds, int[] IntervalEndSeconds, TripTotals Trips, AreaRow City,
        SeriesPair CitySeries, int DistrictCount, IEnumerable<AreaRow> Districts, int IntersectionCount, IEnumerable<IntersectionRow> Intersections,
        int LinkCount, IEnumerable<LinkRow> Links, string[] Notes, DemandFit? DemandFit);

    public sealed record TripTotals(double Baseline, double Variant, double BaselineMeanTimeLossSeconds, double VariantMeanTimeLossSeconds);

    public sealed record SeriesPair(KpiSeries Baseline, KpiSeries Variant);

    public sealed record IntersectionRow(string Id, string District, IntersectionKpis Baseline, IntersectionKpis Variant, double DelayDeltaSeconds);

    public sealed record LinkRow(string Id, string District, LinkKpis Baseline, LinkKpis Variant);
}
