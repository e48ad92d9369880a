using CityTwin.Api.Access;
using CityTwin.Api.Audit;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// Sweeps: one scenario run for many seeds and/or a parameter range as one job spread over the silos; each KPI's
/// mean and 5–95 % band for baseline, variant and their difference, growing as the runs finish.
/// </summary>
public static class SweepEndpoints
{
    public static RouteGroupBuilder MapSweepEndpoints(this IEndpointRouteBuilder app)
    {
        var sweeps = app.MapGroup("/api/sweeps").WithTags("Sweeps");
        sweeps.MapPost("", Submit).RequireAuthorization(AccessPolicies.Engineer)
            .WithSummary("Submit a sweep ({name, scenario, seeds, range: {parameter, from, to, step}}); 202 with its Location");
        sweeps.MapGet("", List).RequireAuthorization(AccessPolicies.Read).WithSummary("The most recent sweeps, newest first (without their bands)");
        sweeps.MapGet("/{id}", Get).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("A sweep's status, progress, runs per silo and KPI bands so far (runs=true: every run's outcome too)");
        sweeps.MapDelete("/{id}", Cancel).RequireAuthorization(AccessPolicies.Engineer).WithSummary("Cancel a queued or running sweep");
        return sweeps;
    }

    private static Task<Results<Accepted<ScenarioEndpoints.JobSubmitted>, BadRequestProblem, BodyProblem, ConflictProblem, UnavailableProblem>> Submit(
        HttpContext context, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct) =>
        ScenarioEndpoints.SubmitJobAsync<SweepSpec>(context, caller, audit, "sweep", ISweepGrain.IdPrefix, "sweeps", s => s.Name,
            (id, spec) => grains.GetGrain<ISweepGrain>(id).StartAsync(spec), ct);

    private static async Task<Results<Ok<SweepList>, BadRequestProblem>> List(IGrainFactory grains, string? limit)
    {
        var (views, problem) = await ScenarioEndpoints.RecentAsync(grains, IScenarioIndexGrain.SweepsKey, limit, id => grains.GetGrain<ISweepGrain>(id).GetAsync(includeRuns: false));
        return problem ?? (Results<Ok<SweepList>, BadRequestProblem>)TypedResults.Ok(new SweepList(views.Select(v => v with { Result = null })));
    }

    private static async Task<Results<Ok<SweepView>, BadRequestProblem, NotFoundProblem>> Get(string id, IGrainFactory grains, string? runs)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid sweep id");
        var withRuns = QueryValues.Flag("runs", runs);
        if (withRuns.Problem is not null) return withRuns.Problem;
        var view = await grains.GetGrain<ISweepGrain>(id).GetAsync(withRuns.Value ?? false);
        return view is null ? Problems.SweepNotFound(id) : TypedResults.Ok(view);
    }

    private static Task<Results<Ok<SweepView>, BadRequestProblem, NotFoundProblem, UnavailableProblem>> Cancel(string id, IGrainFactory grains, Caller caller, CommandAudit audit) =>
        ScenarioEndpoints.CancelAsync(id, "sweep", caller, audit, () => grains.GetGrain<ISweepGrain>(id).CancelAsync(), v => v.Status.ToString(), Problems.SweepNotFound);

    public sealed record SweepList(IEnumerable<SweepView> Sweeps);
}
