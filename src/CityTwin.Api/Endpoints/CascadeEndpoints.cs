using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Backhaul;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Power;
using CityTwin.Domain.Serialization;

namespace CityTwin.Api.Endpoints;

/// <summary>Operators' incidents (a link's condition, a power outage, a controller fault) and the dependency graph they travel along.</summary>
public static class CascadeEndpoints
{
    public const int MaxPageSize = 1_000;

    public static IEndpointRouteBuilder MapCascadeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/links/{id}/status", SetLinkCondition).WithTags("Incidents")
            .WithSummary("Set a LEO link up, degraded (with added latency or loss) or down; its dependents follow");
        app.MapPost("/api/districts/{id}/power", SetPower).WithTags("Incidents")
            .WithSummary("Cut or restore a district's power, or one of its feeders'");
        app.MapGet("/api/districts/{id}/power", GetPower).WithTags("Incidents")
            .WithSummary("A district's power: supply, feeders and those that are off");
        app.MapPost("/api/intersections/{id}/controller", SetController).WithTags("Incidents")
            .WithSummary("Report or clear a signal controller fault");
        app.MapGet("/api/assets/{id}/dependencies", GetDependencies).WithTags("Assets")
            .WithSummary("What an asset depends on, with each dependency's current state");
        app.MapGet("/api/assets/{id}/dependents", GetDependents).WithTags("Assets")
            .WithSummary("The assets that depend on this one (a link's poles, cameras and intersections; an intersection's cameras)");
        return app;
    }

    private sealed record LinkConditionChange(LinkCondition? Condition, double? LatencyMs, double? PacketLossPct);

    private sealed record PowerChange(bool? On, string? Feeder);

    private sealed record ControllerChange(bool? Fault);

    private static async Task<IResult> SetLinkCondition(string id, HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<LinkConditionChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.Condition is not { } condition) return Problems.Invalid("condition", "is required: up, degraded or down");
        var result = await grains.GetGrain<IAssetGrain>(id).SetLinkConditionAsync(condition, body.Value.LatencyMs, body.Value.PacketLossPct);
        return Outcome(id, result);
    }

    private static async Task<IResult> SetController(string id, HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<ControllerChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.Fault is not { } fault) return Problems.Invalid("fault", "is required: true to report a controller fault, false to clear it");
        return Outcome(id, await grains.GetGrain<IAssetGrain>(id).SetControllerFaultAsync(fault));
    }

    private static IResult Outcome(string id, UpsertResult result) => result.Outcome switch
    {
        UpsertOutcome.NotFound => Problems.AssetNotFound(id),
        UpsertOutcome.Invalid => Problems.Invalid(result.Errors),
        _ => Results.Json(result.Asset, CityTwinJson.Options),
    };

    private static async Task<IResult> SetPower(string id, HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        if (await UnknownDistrictAsync(id, grains) is { } problem) return problem;
        var body = await JsonBody.ReadAsync<PowerChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.On is not { } on) return Problems.Invalid("on", "is required: false to cut the power, true to restore it");
        if (body.Value.Feeder is { } feeder && !Ids.IsValid(feeder)) return Problems.Invalid("feeder", "is not a valid feeder id");
        var view = await grains.GetGrain<IPowerGrain>(id).SetAsync(body.Value.Feeder, on);
        return view is null
            ? Results.Problem(type: Problems.NotFound, title: "Feeder not found", statusCode: 404,
                detail: $"No asset of district '{id}' hangs on feeder '{body.Value.Feeder}'.")
            : Results.Json(view, CityTwinJson.Options);
    }

    private static async Task<IResult> GetPower(string id, IGrainFactory grains) =>
        await UnknownDistrictAsync(id, grains) ?? Results.Json(await grains.GetGrain<IPowerGrain>(id).GetAsync(), CityTwinJson.Options);

    private static Task<IResult?> UnknownDistrictAsync(string id, IGrainFactory grains) => KnownDistricts.ProblemAsync(grains, id, "id");

    private static async Task<IResult> GetDependencies(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        if (await grains.GetGrain<IAssetGrain>(id).GetAsync() is not { } asset) return Problems.AssetNotFound(id);
        var d = asset.Dependencies;
        var link = d.BackhaulLinkId is { } l ? grains.GetGrain<IAssetGrain>(l).GetAsync() : Task.FromResult<Asset?>(null);
        var watched = d.WatchedIntersectionId is { } w ? grains.GetGrain<IAssetGrain>(w).GetAsync() : Task.FromResult<Asset?>(null);
        var neighbours = Task.WhenAll(d.Neighbours.Select(n => grains.GetGrain<IAssetGrain>(n.IntersectionId).GetAsync()));
        return Results.Json(new
        {
            asset.Id,
            Backhaul = await link is { } la ? new { la.Id, la.Link!.Condition, la.Status, la.Link.LatencyMs, la.Link.PacketLossPct } : null,
            Power = asset.Type == AssetType.Link ? null : new
            {
                asset.District,
                Feeder = d.PowerFeederId,
                asset.Upstream.Powered,
                Cause = asset.Upstream.PowerCause,
            },
            WatchedIntersection = await watched is { } wa ? new { wa.Id, wa.Intersection!.ActiveMode, wa.Status } : null,
            Neighbours = (await neighbours).Where(n => n is not null).Select(n => new { n!.Id, n.Intersection?.ActiveMode, n.Status }),
        }, CityTwinJson.Options);
    }

    private static async Task<IResult> GetDependents(string id, IGrainFactory grains, string? cursor, string? limit)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var count = QueryValues.Int("limit", limit, 1, MaxPageSize, 100);
        if (count.Problem is not null) return count.Problem;
        if (cursor is not null && !Ids.IsValid(cursor)) return Problems.Invalid("cursor", "is not a cursor this API returned");
        if (await grains.GetGrain<IAssetGrain>(id).GetAsync() is not { } asset) return Problems.AssetNotFound(id);
        var page = asset.Type switch
        {
            AssetType.Link => await grains.GetGrain<IBackhaulGrain>(id).GetDependentsAsync(cursor, count.Value),
            AssetType.Intersection => Page(asset.Intersection!.Cameras.Select(c => new Dependent(c.CameraId, AssetType.Camera, "watches")).ToArray(), cursor, count.Value),
            _ => new DependentsPage(0, [], null),
        };
        return Results.Json(new { asset.Id, page.Total, Dependents = page.Items, page.NextCursor }, CityTwinJson.Options);
    }

    /// <summary>An intersection's cameras are few and already ordered by id: page them here.</summary>
    private static DependentsPage Page(Dependent[] all, string? cursor, int limit)
    {
        var rest = cursor is null ? all : all.Where(d => string.CompareOrdinal(d.Id, cursor) > 0).ToArray();
        var page = rest.Take(limit).ToArray();
        return new DependentsPage(all.Length, page, rest.Length > page.Length ? page[^1].Id : null);
    }
}
