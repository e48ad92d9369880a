using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Domain.Serialization;

namespace CityTwin.Api.Endpoints;

public static class DistrictEndpoints
{
    public const int MaxPageSize = 1_000;

    public static IEndpointRouteBuilder MapDistrictEndpoints(this IEndpointRouteBuilder app)
    {
        var districts = app.MapGroup("/api/districts").WithTags("Districts");
        districts.MapGet("/", ListDistricts).WithSummary("Every district with its counts by type and status, power draw, congestion and offline share");
        districts.MapGet("/{id}", GetDistrict).WithSummary("A district's counts and one page of its assets");
        return app;
    }

    private static async Task<IResult> ListDistricts(IGrainFactory grains)
    {
        var ids = await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync();
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDistrictGrain>(id).GetAsync(null, 0)));
        return Results.Json(views.Select(v => new { v.Id, v.Total, v.Counts, v.PowerDrawKw, v.CongestionIndex, v.OfflineRatio }), CityTwinJson.Options);
    }

    private static async Task<IResult> GetDistrict(string id, IGrainFactory grains, string? cursor, string? limit)
    {
        var count = QueryValues.Int("limit", limit, 1, MaxPageSize, 100);
        if (count.Problem is not null) return count.Problem;
        if (cursor is not null && !Ids.IsValid(cursor)) return Problems.Invalid("cursor", "is not a cursor this API returned");
        if (await KnownDistricts.ProblemAsync(grains, id, "id") is { } unknown) return unknown;
        var view = await grains.GetGrain<IDistrictGrain>(id).GetAsync(cursor, count.Value);
        return view.Total == 0 ? Problems.DistrictNotFound(id) : Results.Json(view, CityTwinJson.Options);
    }
}
