using CityTwin.Api.Audit;
using CityTwin.Api.Access;
using CityTwin.Contracts.Assets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>The signalised intersections: an operator reports or clears a controller fault, or sets the signal plan.</summary>
public static class IntersectionEndpoints
{
    public static RouteGroupBuilder MapIntersectionEndpoints(this IEndpointRouteBuilder app)
    {
        var intersections = app.MapGroup("/api/intersections").WithTags("Intersections");
        intersections.MapPost("/{id}/controller", SetController).RequireAuthorization(AccessPolicies.Operate).WithSummary("Report or clear a signal controller fault");
        intersections.MapPost("/{id}/plan", SetPlan).RequireAuthorization(AccessPolicies.Operate)
            .WithSummary("Set an intersection's fixed-time plan (also its fallback under adaptive control); an optimisation's apply does this for its plans");
        return intersections;
    }

    private sealed record ControllerChange(bool? Fault);

    private sealed record PlanChangeBody(SignalPlan? Plan);

    private static async Task<Results<Ok<Asset>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> SetPlan(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<PlanChangeBody>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.Plan is not { } plan) return Problems.Invalid("plan", "is required: {cycleSeconds, lostTimePerPhaseSeconds, phases: [{name, approaches, greenSeconds}]}");
        return await AssetEndpoints.CommandAsync(id, grains, caller, audit, "intersection.plan",
            $"cycle={plan.CycleSeconds} greens={string.Join('/', plan.Phases.Select(p => p.GreenSeconds))}", grain => grain.SetSignalPlanAsync(plan, null));
    }

    private static async Task<Results<Ok<Asset>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> SetController(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<ControllerChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.Fault is not { } fault) return Problems.Invalid("fault", "is required: true to report a controller fault, false to clear it");
        return await AssetEndpoints.CommandAsync(id, grains, caller, audit, "intersection.controller", $"fault={fault}", grain => grain.SetControllerFaultAsync(fault));
    }
}
