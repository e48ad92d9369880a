using CityTwin.Api.Audit;
using CityTwin.Api.Access;
using CityTwin.Contracts.Assets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>The signalised intersections: an operator reports or clears a controller fault.</summary>
public static class IntersectionEndpoints
{
    public static RouteGroupBuilder MapIntersectionEndpoints(this IEndpointRouteBuilder app)
    {
        var intersections = app.MapGroup("/api/intersections").WithTags("Intersections");
        intersections.MapPost("/{id}/controller", SetController).RequireAuthorization(AccessPolicies.Operate).WithSummary("Report or clear a signal controller fault");
        return intersections;
    }

    private sealed record ControllerChange(bool? Fault);

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
