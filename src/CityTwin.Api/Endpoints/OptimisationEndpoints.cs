using CityTwin.Api.Access;
using CityTwin.Api.Audit;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// Signal-plan optimisations: engineers search cycle and splits for chosen intersections (Webster as the start, the
/// simulator as the judge); operators apply the best plans to the live intersections, all or none, and revert them.
/// </summary>
public static class OptimisationEndpoints
{
    public static RouteGroupBuilder MapOptimisationEndpoints(this IEndpointRouteBuilder app)
    {
        var optimisations = app.MapGroup("/api/optimisations").WithTags("Optimisations");
        optimisations.MapPost("", Submit).RequireAuthorization(AccessPolicies.Engineer)
            .WithSummary("Search better fixed-time plans ({name, scenario, intersectionIds, maxEvaluations}); 202 with its Location");
        optimisations.MapGet("", List).RequireAuthorization(AccessPolicies.Read).WithSummary("The most recent optimisations, newest first (without their apply and revert history)");
        optimisations.MapGet("/{id}", Get).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Status, progress, delay under the current / Webster's / the best plans, each intersection's plans, and every apply and revert");
        optimisations.MapDelete("/{id}", Cancel).RequireAuthorization(AccessPolicies.Engineer).WithSummary("Cancel a queued or running optimisation");
        optimisations.MapPost("/{id}/apply", Apply).RequireAuthorization(AccessPolicies.Operate)
            .WithSummary("Put the best plans on the live intersections — all, or none if any changed since (409)");
        optimisations.MapPost("/{id}/revert", Revert).RequireAuthorization(AccessPolicies.Operate)
            .WithSummary("Put back the plans the apply replaced — all, or none if any changed since (409)");
        return optimisations;
    }

    private static Task<Results<Accepted<ScenarioEndpoints.JobSubmitted>, BadRequestProblem, BodyProblem, ConflictProblem, UnavailableProblem>> Submit(
        HttpContext context, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct) =>
        ScenarioEndpoints.SubmitJobAsync<OptimiseSpec>(context, caller, audit, "optimisation", IOptimisationGrain.IdPrefix, "optimisations", s => s.Name,
            (id, spec) => grains.GetGrain<IOptimisationGrain>(id).StartAsync(spec), ct);

    private static async Task<Results<Ok<OptimisationList>, BadRequestProblem>> List(IGrainFactory grains, string? limit)
    {
        var (views, problem) = await ScenarioEndpoints.RecentAsync(grains, IScenarioIndexGrain.OptimisationsKey, limit, id => grains.GetGrain<IOptimisationGrain>(id).GetAsync());
        return problem ?? (Results<Ok<OptimisationList>, BadRequestProblem>)TypedResults.Ok(new OptimisationList(views.Select(v => v with { Changes = [] })));
    }

    public sealed record OptimisationList(IEnumerable<OptimisationView> Optimisations);

    private static async Task<Results<Ok<OptimisationView>, BadRequestProblem, NotFoundProblem>> Get(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid optimisation id");
        var view = await grains.GetGrain<IOptimisationGrain>(id).GetAsync();
        return view is null ? Problems.OptimisationNotFound(id) : TypedResults.Ok(view);
    }

    private static Task<Results<Ok<OptimisationView>, BadRequestProblem, NotFoundProblem, UnavailableProblem>> Cancel(string id, IGrainFactory grains, Caller caller, CommandAudit audit) =>
        ScenarioEndpoints.CancelAsync(id, "optimisation", caller, audit, () => grains.GetGrain<IOptimisationGrain>(id).CancelAsync(), v => v.Status.ToString(), Problems.OptimisationNotFound);

    private static Task<Results<Ok<OptimisationView>, BadRequestProblem, NotFoundProblem, ConflictProblem, UnavailableProblem>> Apply(string id, IGrainFactory grains, Caller caller, CommandAudit audit) =>
        ChangeAsync(id, grains, caller, audit, "optimisation.apply", (grain, by) => grain.ApplyAsync(by));

    private static Task<Results<Ok<OptimisationView>, BadRequestProblem, NotFoundProblem, ConflictProblem, UnavailableProblem>> Revert(string id, IGrainFactory grains, Caller caller, CommandAudit audit) =>
        ChangeAsync(id, grains, caller, audit, "optimisation.revert", (grain, by) => grain.RevertAsync(by));

    /// <summary>
    /// An apply or a revert: only by an operator who sees every intersection it touches, audited with each plan's
    /// before and after (the optimisation keeps them too).
    /// </summary>
    private static async Task<Results<Ok<OptimisationView>, BadRequestProblem, NotFoundProblem, ConflictProblem, UnavailableProblem>> ChangeAsync(
        string id, IGrainFactory grains, Caller caller, CommandAudit audit, string action, Func<IOptimisationGrain, string, Task<PlanChangeResult>> change)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid optimisation id");
        var grain = grains.GetGrain<IOptimisationGrain>(id);
        if (await grain.GetAsync() is not { } view) return Problems.OptimisationNotFound(id);
        foreach (var plan in view.Result?.Plans ?? [])
            if (!await caller.SeesAsync(grains, plan.IntersectionId)) return Problems.AssetNotFound(plan.IntersectionId);
        if (await audit.BeginAsync(caller, action, id, view.Plans, string.Join(", ", view.Result?.Plans.Select(p => p.IntersectionId) ?? [])) is not { } entry)
            return CommandAudit.Unavailable();
        var result = await entry.RunAsync(() => change(grain, caller.Name), r => (r.Outcome.ToString().ToLowerInvariant(), r.View?.Plans));
        return result.Outcome switch
        {
            PlanChangeOutcome.Done => TypedResults.Ok(result.View!),
            PlanChangeOutcome.NotFound => Problems.OptimisationNotFound(id),
            PlanChangeOutcome.Conflict => new ConflictProblem(TypedResults.Problem(type: Problems.PlanConflict, title: "A plan changed since", statusCode: 409, detail: result.Detail)),
            _ => new ConflictProblem(TypedResults.Problem(type: Problems.ScenarioNotFinished, title: "Nothing to " + action[(action.IndexOf('.') + 1)..], statusCode: 409, detail: result.Detail)),
        };
    }
}
