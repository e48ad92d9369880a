using System.Text.Json;
using CityTwin.Api.Queries;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.City;
using CityTwin.Domain.Alarms;
using CityTwin.Domain.Queries;
using CityTwin.Domain.Serialization;
using Microsoft.Net.Http.Headers;

namespace CityTwin.Api.Endpoints;

/// <summary>The operations centre's questions: which assets match, and how the city stands, from the read model.</summary>
public static class QueryEndpoints
{
    public const string GeoJson = "application/geo+json";

    public static IEndpointRouteBuilder MapQueryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/assets", Search).WithTags("Assets")
            .WithSummary("Assets matching type, status, district, area and attribute conditions")
            .WithDescription("""
                Filters combine with AND; comma-separated values within one filter with OR. `bbox=minLon,minLat,maxLon,maxLat`;
                `near=lon,lat&radius=metres` (ordered by distance); attribute conditions as they read, e.g. `dimLevel<50`,
                `latencyMs>=80`, `feedOnline=false`, `mode=fixedTime`. Pages of `limit` (≤ 1,000) follow `next`: keyset
                pages, so assets changing meanwhile never make another asset repeat or go missing.
                `Accept: application/geo+json` returns a GeoJSON FeatureCollection. Results come from the read model,
                which trails the live twin by its stream delivery (tens of milliseconds; see the README).
                """)
            .Produces(200, contentType: "application/json", additionalContentTypes: [GeoJson])
            .ProducesValidationProblem();
        app.MapGet("/api/stats", Stats).WithTags("Assets")
            .WithSummary("Counts by type × status × district and city-wide KPIs")
            .WithDescription("From the districts' reports, at most `Twin:DistrictReportInterval` (250 ms) behind the districts. `?district=` narrows to some districts.");
        return app;
    }

    private static async Task<IResult> Search(HttpRequest request, ReadModel readModel, QueryLimits limits)
    {
        var (query, errors) = AssetQueryParser.Parse(request.QueryString.Value, limits);
        if (query is null) return Problems.Invalid(errors, "The query is invalid");
        var page = await readModel.SearchAsync(query);
        var next = page.Next is { } cursor ? NextLink(request, cursor.Encode()) : null;
        return WantsGeoJson(request) ? new GeoJsonPage(page, next, query.Near is not null) : Results.Json(new
        {
            count = page.Hits.Count,
            next,
            nextCursor = page.Next?.Encode(),
            items = page.Hits.Select(h => Item(h, query.Near is not null)),
        }, CityTwinJson.Options);
    }

    private static async Task<IResult> Stats(HttpRequest request, ReadModel readModel, IGrainFactory grains)
    {
        var wanted = request.Query["district"].SelectMany(v => v!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        if (wanted.FirstOrDefault(d => !Ids.IsValid(d)) is { } bad) return Problems.Invalid("district", $"'{bad}' is not a valid district id");
        var alarms = grains.GetGrain<IAlarmBoardGrain>(IAlarmBoardGrain.Key).GetActiveCountsAsync();
        var stats = await readModel.StatsAsync();
        var districts = wanted.Count == 0 ? stats.Districts : [.. stats.Districts.Where(d => wanted.Contains(d.District))];
        var active = await alarms;
        // City-wide, the body only changes with a district's report or an alarm: render it once per change.
        var key = string.Join(',', active);
        if (wanted.Count == 0 && readModel.RenderedStats is { } cached && cached.Version == stats.Version && cached.Alarms == key)
            return Results.Bytes(cached.Body, "application/json");
        var body = Render(stats, districts, active);
        if (wanted.Count == 0) readModel.RenderedStats = (stats.Version, key, body);
        return Results.Bytes(body, "application/json");
    }

    private static byte[] Render(CityStats stats, IReadOnlyList<DistrictReport> districts, int[] active)
    {
        var intersections = districts.Sum(d => Count(d, AssetType.Intersection));
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            updatedAt = stats.UpdatedAt,
            city = new
            {
                assets = districts.Sum(d => d.Total),
                byType = Enum.GetValues<AssetType>().ToDictionary(t => t, t => Enum.GetValues<AssetStatus>()
                    .Select(s => (s, n: districts.Sum(d => d.Counts.Where(c => c.Type == t && c.Status == s).Sum(c => c.Count))))
                    .Where(x => x.n > 0).ToDictionary(x => x.s, x => x.n)),
                powerDrawKw = Math.Round(districts.Sum(d => d.PowerDrawKw), 3),
                // Intersection-weighted, as each district's index is the mean over its intersections.
                congestionIndex = intersections == 0 ? 0 : Math.Round(districts.Sum(d => d.CongestionIndex * Count(d, AssetType.Intersection)) / intersections, 3),
                offlineRatio = districts.Sum(d => d.Total) is var total and > 0 ? Math.Round(districts.Sum(d => d.OfflineRatio * d.Total) / total, 4) : 0,
                camerasWithoutFeed = districts.Sum(d => d.CamerasWithoutFeed),
                linksDown = districts.Sum(d => d.LinksDown),
                activeAlarms = Enum.GetValues<AlarmSeverity>().ToDictionary(s => s, s => (int)s < active.Length ? active[(int)s] : 0),
            },
            districts = districts.Select(d => new
            {
                id = d.District, total = d.Total, counts = d.Counts, powerDrawKw = d.PowerDrawKw, congestionIndex = d.CongestionIndex,
                offlineRatio = d.OfflineRatio, camerasWithoutFeed = d.CamerasWithoutFeed, linksDown = d.LinksDown,
                bbox = d.Bounds is { } b ? new[] { b.MinLon, b.MinLat, b.MaxLon, b.MaxLat } : null, reportedAt = d.At,
            }),
        }, CityTwinJson.Options);
    }

    private static int Count(DistrictReport d, AssetType type) => d.Counts.Where(c => c.Type == type).Sum(c => c.Count);

    private static object Item(AssetHit hit, bool withDistance) => new
    {
        id = hit.Summary.Id,
        type = hit.Summary.Type,
        status = hit.Summary.Status,
        district = hit.District,
        location = hit.Summary.Location,
        attributes = Attributes(hit),
        distanceM = withDistance ? Math.Round(hit.DistanceM, 2) : (double?)null,
    };

    /// <summary>The hit's attributes by name, as JSON shows them (numbers, true/false, enum names).</summary>
    public static Dictionary<string, object> Attributes(AssetHit hit)
    {
        var result = new Dictionary<string, object>();
        if (hit.Attributes is not { } values) return result;
        var attributes = AssetAttributes.Of(hit.Summary.Type);
        for (var i = 0; i < attributes.Count && i < values.Length; i++) result[attributes[i].Name] = attributes[i].Display(values[i]);
        return result;
    }

    private static bool WantsGeoJson(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept && accept.Any(a => a.MediaType.Equals(GeoJson, StringComparison.OrdinalIgnoreCase));

    private static string NextLink(HttpRequest request, string cursor)
    {
        var terms = (request.QueryString.Value ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(t => !t.StartsWith("cursor=", StringComparison.OrdinalIgnoreCase));
        return request.Path + "?" + string.Join('&', terms.Append("cursor=" + cursor));
    }

    /// <summary>An RFC 7946 FeatureCollection of the page; <c>next</c> is a foreign member, as GIS tools ignore what they do not know.</summary>
    private sealed class GeoJsonPage(QueryPage page, string? next, bool withDistance) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.ContentType = GeoJson;
            // A page is at most a thousand features: build it in memory, then write it asynchronously (the body refuses sync writes).
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
            using var writer = new Utf8JsonWriter(buffer);
            writer.WriteStartObject();
            writer.WriteString("type", "FeatureCollection");
            if (next is not null) writer.WriteString("next", next);
            writer.WriteStartArray("features");
            foreach (var hit in page.Hits)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "Feature");
                writer.WriteString("id", hit.Summary.Id);
                writer.WriteStartObject("geometry");
                writer.WriteString("type", "Point");
                writer.WriteStartArray("coordinates");
                writer.WriteNumberValue(hit.Summary.Location.Lon);
                writer.WriteNumberValue(hit.Summary.Location.Lat);
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WritePropertyName("properties");
                var properties = new Dictionary<string, object>(Attributes(hit))
                {
                    ["id"] = hit.Summary.Id,
                    ["type"] = hit.Summary.Type,
                    ["status"] = hit.Summary.Status,
                    ["district"] = hit.District,
                };
                if (withDistance) properties["distanceM"] = Math.Round(hit.DistanceM, 2);
                JsonSerializer.Serialize(writer, properties, CityTwinJson.Options);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
        }
    }
}
