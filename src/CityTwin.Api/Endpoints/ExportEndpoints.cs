using CityTwin.Api.Access;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>Exports for other tools: a scenario's network, signal plans and demand as SUMO plain XML.</summary>
public static class ExportEndpoints
{
    public static RouteGroupBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var exports = app.MapGroup("/api/exports").WithTags("Exports");
        exports.MapPost("/sumo", Sumo).RequireAuthorization(AccessPolicies.Engineer)
            .WithSummary("A scenario spec's snapshot and demand (the baseline) as SUMO plain XML, zipped: netconvert -c citytwin.netccfg && sumo -c citytwin.sumocfg");
        return exports;
    }

    private static async Task<Results<FileContentHttpResult, BadRequestProblem, BodyProblem>> Sumo(HttpContext context, IGrainFactory grains, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<ScenarioSpec>(context.Request, ScenarioEndpoints.MaxSpecBytes, ct);
        if (body.Problem is not null) return body.Problem;
        var result = await grains.GetGrain<ISumoExportGrain>(0).ExportAsync(body.Value!);
        if (result.Zip is not { } zip) return Problems.Invalid(result.Errors, "The scenario is invalid");
        return TypedResults.File(zip, "application/zip", "citytwin-sumo.zip");
    }
}
