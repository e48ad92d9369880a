using CityTwin.Api.Audit;
using CityTwin.Domain.Access;
using CityTwin.Api.Access;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Import;
using CityTwin.Domain.GeoJson;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>Whole-city GeoJSON import and export, so a real city's inventory can be loaded and GIS tools can read the twin.</summary>
public static class CityEndpoints
{
    public const string GeoJson = "application/geo+json";

    /// <summary>The two whole-city operations share one group on /api.</summary>
    public static RouteGroupBuilder MapCityEndpoints(this IEndpointRouteBuilder app)
    {
        var city = app.MapGroup("/api").WithTags("City");
        city.MapPost("/import", Import).RequireAuthorization(AccessPolicies.Admin)
            .WithSummary("Import a GeoJSON FeatureCollection of assets: all or nothing, idempotent");
        city.MapGet("/export", Export).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Export the city (or one district, or one type of asset: the console draws the streets from the intersections) as a GeoJSON FeatureCollection")
            .Produces<Stream>(200, GeoJson); // a FeatureCollection, streamed feature by feature
        return city;
    }

    private static async Task<Results<Ok<ImportCheck>, Ok<ImportResult>, BadRequestProblem, BodyProblem, UnavailableProblem>> Import(HttpRequest request, IGrainFactory grains, IConfiguration config, Caller caller, CommandAudit audit, string? dryRun, CancellationToken ct)
    {
        var dry = QueryValues.Flag("dryRun", dryRun);
        if (dry.Problem is not null) return dry.Problem;
        if (JsonBody.MediaTypeProblem(request, GeoJson, "application/json") is { } wrongType) return wrongType;
        var limit = config.GetValue("Api:MaxImportBytes", 512L << 20);
        var body = await JsonBody.ReadBytesAsync(request, limit, ct);
        if (body.Problem is not null) return body.Problem;

        var bytes = body.Value!.Value;
        using var stream = MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
        var document = await GeoJsonReader.ReadAsync(stream, ct);
        var existing = await ExistingTypesAsync(grains, document.Assets, ct);
        var errors = document.AllErrors(id => existing.TryGetValue(id, out var t) ? t : null);
        if (errors.Count > 0)
        {
            return new BadRequestProblem(TypedResults.Problem(
                type: Problems.Validation, statusCode: 400, title: "The import was rejected; nothing was applied",
                detail: $"{errors.Select(e => e.Index).Distinct().Count()} feature(s) are invalid: " +
                        string.Join("; ", errors.Take(5).Select(e => $"features[{e.Index}] ({e.AssetId ?? "no id"}) {e.Field}: {e.Message}")),
                extensions: new Dictionary<string, object?> { ["errors"] = errors }));
        }
        if (dry.Value == true) return TypedResults.Ok(new ImportCheck(document.Assets.Count));

        if (await audit.BeginAsync(caller, "city.import", $"{document.Assets.Count} assets", null, $"{bytes.Length:N0} bytes") is not { } entry) return CommandAudit.Unavailable();
        var counts = await entry.RunAsync(() => CityImporter.ApplyAsync(grains, document.Assets, cancellationToken: ct),
            c => ("ok", $"created {c.Created}, updated {c.Updated}, unchanged {c.Unchanged}"), untilDone: true);
        return TypedResults.Ok(new ImportResult(counts.Created, counts.Updated, counts.Unchanged));
    }

    /// <summary>A dry run's answer: every feature is valid, and how many assets the file holds.</summary>
    public sealed record ImportCheck(int Valid);

    public sealed record ImportResult(int Created, int Updated, int Unchanged);

    /// <summary>The types of the assets that the file references but does not contain, from the live twin.</summary>
    private static async Task<Dictionary<string, AssetType>> ExistingTypesAsync(IGrainFactory grains, IReadOnlyList<Asset> assets, CancellationToken ct)
    {
        var inFile = assets.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var outside = assets.SelectMany(a => a.Dependencies.AssetReferences()).Select(r => r.Id)
            .Where(id => !inFile.Contains(id) && Ids.IsValid(id)).Distinct().ToArray();
        var found = new Dictionary<string, AssetType>(StringComparer.Ordinal);
        foreach (var chunk in outside.Chunk(256))
        {
            ct.ThrowIfCancellationRequested();
            var types = await Task.WhenAll(chunk.Select(id => grains.GetGrain<IAssetGrain>(id).GetTypeAsync()));
            for (var i = 0; i < chunk.Length; i++)
                if (types[i] is { } t) found[chunk[i]] = t;
        }
        return found;
    }

    private static async Task<Results<EmptyHttpResult, BadRequestProblem, NotFoundProblem>> Export(HttpContext http, IGrainFactory grains, Caller caller, string? district, string? type, CancellationToken ct)
    {
        if (district is not null && KnownDistricts.Malformed(district, "district") is { } malformed) return malformed;
        var only = QueryValues.Type("type", type);
        if (only.Problem is not null) return only.Problem;
        if (district is not null && (!caller.Scope.AllowsDistrict(district) || !await KnownDistricts.ExistsAsync(grains, district))) return Problems.DistrictNotFound(district);
        var districts = district is null ? (await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync()).Where(caller.Scope.AllowsDistrict).ToArray() : [district];
        http.Response.ContentType = GeoJson;
        await GeoJsonWriter.WriteAsync(http.Response.Body, AssetsOf(grains, districts, caller.Scope, only.Value, ct), ct);
        return TypedResults.Empty;
    }

    private static async IAsyncEnumerable<Asset> AssetsOf(IGrainFactory grains, string[] districts, AccessScope scope, AssetType? only, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var id in districts)
        {
            var types = scope.TypesIn(id);
            if (only is { } type) types = types is null || types.Contains(type) ? new HashSet<AssetType> { type } : new HashSet<AssetType>();
            string? cursor = null;
            do
            {
                var page = await grains.GetGrain<IDistrictGrain>(id).GetAsync(cursor, 1_000);
                var assets = await DistrictAssets.ReadAsync(grains, id, [.. page.Assets.Where(a => types is null || types.Contains(a.Type)).Select(a => a.Id)]);
                foreach (var a in assets)
                    if (a is not null) yield return a;
                cursor = page.NextCursor;
                ct.ThrowIfCancellationRequested();
            } while (cursor is not null);
        }
    }
}
