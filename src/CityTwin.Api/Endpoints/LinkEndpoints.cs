using CityTwin.Api.Audit;
using CityTwin.Api.Access;
using CityTwin.Contracts.Assets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>The LEO backhaul links: an operator sets one's condition, and the assets behind it follow.</summary>
public static class LinkEndpoints
{
    public static RouteGroupBuilder MapLinkEndpoints(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/api/links").WithTags("Links");
        links.MapPost("/{id}/status", SetLinkCondition).RequireAuthorization(AccessPolicies.Operate)
            .WithSummary("Set a LEO link up, degraded (with added latency or loss) or down; its dependents follow");
        return links;
    }

    private sealed record LinkConditionChange(LinkCondition? Condition, double? LatencyMs, double? PacketLossPct);

    private static async Task<Results<Ok<Asset>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> SetLinkCondition(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<LinkConditionChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.Condition is not { } condition) return Problems.Invalid("condition", "is required: up, degraded or down");
        var (latency, loss) = (body.Value.LatencyMs, body.Value.PacketLossPct);
        return await AssetEndpoints.CommandAsync(id, grains, caller, audit, "link.status", $"condition={condition}" + (latency is { } l ? $" latencyMs={l}" : "") + (loss is { } p ? $" packetLossPct={p}" : ""),
            grain => grain.SetLinkConditionAsync(condition, latency, loss));
    }
}
