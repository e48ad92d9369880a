using CityTwin.Storage;
using CityTwin.Api.Audit;
using CityTwin.Api.Access;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Power;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>The districts: their counts and assets, and their power supply, which operators cut and restore.</summary>
public static class DistrictEndpoints
{
    public const int MaxPageSize = 1_000;

    public static RouteGroupBuilder MapDistrictEndpoints(this IEndpointRouteBuilder app)
    {
        var districts = app.MapGroup("/api/districts").WithTags("Districts");
        districts.MapGet("/", ListDistricts).RequireAuthorization(AccessPolicies.Read).WithSummary("Every district with its counts by type and status, power draw, congestion and offline share");
        districts.MapGet("/{id}", GetDistrict).RequireAuthorization(AccessPolicies.Read).WithSummary("A district's counts and one page of its assets");
        districts.MapPost("/{id}/power", SetPower).RequireAuthorization(AccessPolicies.Operate).WithSummary("Cut or restore a district's power, or one of its feeders'");
        districts.MapGet("/{id}/power", GetPower).RequireAuthorization(AccessPolicies.Read).WithSummary("A district's power: supply, feeders and those that are off");
        return districts;
    }

    private static async Task<Ok<IEnumerable<DistrictSummary>>> ListDistricts(IGrainFactory grains, GatewayLoss gateways, Caller caller)
    {
        var ids = (await gateways.ReadAsync(() => grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync())).Where(caller.Scope.AllowsDistrict);
        var views = await Task.WhenAll(ids.Select(id => gateways.ReadAsync(() => grains.GetGrain<IDistrictGrain>(id).GetAsync(null, 0))));
        return TypedResults.Ok(views.Select(v => ScopedViews.District(v, caller.Scope)).OfType<DistrictView>()
            .Select(v => new DistrictSummary(v.Id, v.Total, v.Counts, v.PowerDrawKw, v.CongestionIndex, v.OfflineRatio)));
    }

    private static async Task<Results<Ok<DistrictView>, BadRequestProblem, NotFoundProblem>> GetDistrict(string id, IGrainFactory grains, GatewayLoss gateways, string? cursor, string? limit, Caller caller)
    {
        var count = QueryValues.Int("limit", limit, 1, MaxPageSize, 100);
        if (count.Problem is not null) return count.Problem;
        if (cursor is not null && !Ids.IsValid(cursor)) return Problems.Invalid("cursor", "is not a cursor this API returned");
        if (KnownDistricts.Malformed(id, "id") is { } malformed) return malformed;
        if (!await KnownDistricts.ExistsAsync(grains, id)) return Problems.DistrictNotFound(id);
        if (!caller.Scope.AllowsDistrict(id)) return Problems.DistrictNotFound(id);
        var view = await gateways.ReadAsync(() => grains.GetGrain<IDistrictGrain>(id).GetAsync(cursor, count.Value));
        return view.Total == 0 || ScopedViews.District(view, caller.Scope) is not { } shown ? Problems.DistrictNotFound(id) : TypedResults.Ok(shown);
    }

    private static async Task<Results<Ok<PowerView>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> SetPower(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (KnownDistricts.Malformed(id, "id") is { } malformed) return malformed;
        if (!caller.Scope.AllowsDistrict(id) || !await KnownDistricts.ExistsAsync(grains, id)) return Problems.DistrictNotFound(id);
        var body = await JsonBody.ReadAsync<PowerChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.On is not { } on) return Problems.Invalid("on", "is required: false to cut the power, true to restore it");
        if (body.Value.Feeder is { } feeder && !Ids.IsValid(feeder)) return Problems.Invalid("feeder", "is not a valid feeder id");
        var power = grains.GetGrain<IPowerGrain>(id);
        var target = body.Value.Feeder is { } f ? $"{id}/{f}" : id;
        var before = await audit.Gateways.ReadAsync(() => power.GetAsync());
        if (await audit.BeginAsync(caller, "district.power", target, PowerState(before), $"on={on}") is not { } entry) return CommandAudit.Unavailable();
        var view = await entry.RunAsync(() => power.SetAsync(body.Value.Feeder, on), v => v is null ? ("not-found", null) : ("ok", PowerState(v)));
        return view is null
            ? Problems.NotFoundOf("Feeder not found", $"No asset of district '{id}' hangs on feeder '{body.Value.Feeder}'.")
            : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<PowerView>, BadRequestProblem, NotFoundProblem>> GetPower(string id, IGrainFactory grains, GatewayLoss gateways, Caller caller)
    {
        if (KnownDistricts.Malformed(id, "id") is { } malformed) return malformed;
        if (!caller.Scope.AllowsDistrict(id) || !await KnownDistricts.ExistsAsync(grains, id)) return Problems.DistrictNotFound(id);
        return TypedResults.Ok(await gateways.ReadAsync(() => grains.GetGrain<IPowerGrain>(id).GetAsync()));
    }

    private sealed record PowerChange(bool? On, string? Feeder);

    /// <summary>A district's supply as the audit log shows it.</summary>
    private static string PowerState(PowerView view) =>
        (view.On ? "on" : "off") + (view.FeedersOff.Length > 0 ? $", feeders off: {string.Join(' ', view.FeedersOff)}" : "");

    /// <summary>A district in the list: its counts and KPIs, without its assets.</summary>
    public sealed record DistrictSummary(string Id, int Total, StatusCount[] Counts, double PowerDrawKw, double CongestionIndex, double OfflineRatio);
}
