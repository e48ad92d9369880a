using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CityTwin.Api.Http;

/// <summary>
/// The OpenAPI document's additions: the asset query's parameters (read from the raw query string, so that
/// <c>dimLevel&lt;50</c> reads as written, and so invisible to the generator) with examples, and what every error is.
/// </summary>
public static class OpenApiDocs
{
    public static OpenApiOptions AddCityTwinDocs(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "CityTwin API",
                Version = "v1",
                Description = "The live digital twin of a city's street infrastructure: query assets, watch the live feed, send telemetry, run what-if scenarios. Every error is an RFC 7807 problem (application/problem+json) with a stable `type`; validation problems list every bad field in `errors`.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            // The search is its group's root route, whose pattern may end in a slash.
            if (context.Description.RelativePath?.TrimEnd('/') == "api/assets" && context.Description.HttpMethod == "GET")
            {
                operation.Parameters ??= [];
                foreach (var (name, description, example) in AssetQueryParameters) operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    Example = JsonValue.Create(example),
                });
            }
            return Task.CompletedTask;
        });
        return options;
    }

    private static readonly (string Name, string Description, string Example)[] AssetQueryParameters =
    [
        ("type", "pole, camera, intersection, link; comma-separated or repeated (OR)", "camera"),
        ("status", "operational, degraded, faulted, offline, maintenance; comma-separated (OR)", "offline"),
        ("district", "District ids, comma-separated (OR)", "d-07"),
        ("bbox", "minLon,minLat,maxLon,maxLat (WGS84); at most Api:Query:MaxBoxKm2 km²", "4.34,50.84,4.36,50.86"),
        ("near", "lon,lat: results ordered by distance, each with distanceM; needs radius", "4.35,50.85"),
        ("radius", "Metres around near, at most Api:Query:MaxRadiusM", "300"),
        ("limit", "Page size, 1–Api:Query:MaxPageSize (default 100)", "100"),
        ("cursor", "Where the previous page ended: take it from `next`", ""),
        ("{attribute}{op}{value}", "Attribute conditions written as they read, op one of = != < <= > >=: dimLevel<50, latencyMs>80, feedOnline=false, mode=fixedTime, condition=down. Attributes: "
            + string.Join(", ", CityTwin.Domain.Queries.AssetAttributes.Names), "dimLevel<50"),
    ];
}
