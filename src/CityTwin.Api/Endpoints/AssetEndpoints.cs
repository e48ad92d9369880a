using CityTwin.Storage;
using CityTwin.Api.Access;
using CityTwin.Api.Audit;
using CityTwin.Contracts.Audit;
using CityTwin.Domain.Audit;
using System.Text.Json;
using CityTwin.Api.Ingest;
using CityTwin.Api.Queries;
using CityTwin.Domain.Ingest;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Backhaul;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Queries;
using CityTwin.Domain.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// The assets: which match a query (from the read model), each one's live state, history and place in the dependency
/// graph, and the readings and status changes sent to one.
/// </summary>
public static class AssetEndpoints
{
    public const int MaxDependentsPage = 1_000;

    public static RouteGroupBuilder MapAssetEndpoints(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("/api/assets").WithTags("Assets");
        assets.MapGet("", Search).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Assets matching type, status, district, area and attribute conditions")
            .WithDescription("""
                Filters combine with AND; comma-separated values within one filter with OR. `bbox=minLon,minLat,maxLon,maxLat`;
                `near=lon,lat&radius=metres` (ordered by distance); attribute conditions as they read, e.g. `dimLevel<50`,
                `latencyMs>=80`, `feedOnline=false`, `mode=fixedTime`. Pages of `limit` (≤ 1,000) follow `next`: keyset
                pages, so assets changing meanwhile never make another asset repeat or go missing.
                `Accept: application/geo+json` returns a GeoJSON FeatureCollection. Results come from the read model,
                which trails the live twin by its stream delivery (tens of milliseconds; see the README).
                """);
        assets.MapGet("/{id}", GetAsset).RequireAuthorization(AccessPolicies.Read).WithSummary("An asset's live state");
        assets.MapGet("/{id}/history", GetHistory).RequireAuthorization(AccessPolicies.Read).WithSummary("An asset's recent state changes (persisted, Twin:HistoryRetention) and readings (in memory, Twin:TelemetryHistory), newest first");
        assets.MapGet("/{id}/dependencies", GetDependencies).RequireAuthorization(AccessPolicies.Read).WithSummary("What an asset depends on, with each dependency's current state");
        assets.MapGet("/{id}/dependents", GetDependents).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("The assets that depend on this one (a link's poles, cameras and intersections; an intersection's cameras)");
        assets.MapPost("/{id}/telemetry", PostTelemetry).RequireAuthorization(AccessPolicies.Ingest).WithSummary("Apply one device reading to an asset");
        assets.MapPost("/{id}/status", PostStatus).RequireAuthorization(AccessPolicies.Operate).WithSummary("Set an asset's operational status");
        return assets;
    }

    private static async Task<Results<Ok<AssetPage>, GeoJsonPage, BadRequestProblem>> Search(HttpRequest request, ReadModel readModel, QueryLimits limits, Caller caller)
    {
        var (query, errors) = AssetQueryParser.Parse(request.QueryString.Value, limits);
        if (query is null) return Problems.Invalid(errors, "The query is invalid");
        var page = await readModel.SearchAsync(query, caller.Scope);
        var next = page.Next is { } cursor ? NextLink(request, cursor.Encode()) : null;
        if (WantsGeoJson(request)) return new GeoJsonPage(page, next, query.Near is not null);
        return TypedResults.Ok(new AssetPage(page.Hits.Count, next, page.Next?.Encode(), page.Hits.Select(h => Item(h, query.Near is not null))));
    }

    private static async Task<Results<Ok<Asset>, BadRequestProblem, NotFoundProblem>> GetAsset(string id, IGrainFactory grains, GatewayLoss gateways, Caller caller)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var asset = await gateways.ReadAsync(() => grains.GetGrain<IAssetGrain>(id).GetAsync());
        return asset is null || !caller.Sees(asset) ? Problems.AssetNotFound(id) : TypedResults.Ok(asset);
    }

    private static async Task<Results<Ok<AssetHistoryView>, BadRequestProblem, NotFoundProblem>> GetHistory(string id, string? limit, IGrainFactory grains, GatewayLoss gateways, Caller caller)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var count = QueryValues.Int("limit", limit, 1, 1_000, 100);
        if (count.Problem is not null) return count.Problem;
        if (!await caller.SeesAsync(grains, id)) return Problems.AssetNotFound(id);
        var commands = gateways.ReadAsync(() => grains.GetGrain<IAuditGrain>(0).QueryAsync(new AuditQuery(Target: id, Limit: count.Value)));
        var history = await gateways.ReadAsync(() => grains.GetGrain<IAssetGrain>(id).GetHistoryAsync(count.Value));
        return history is null ? Problems.AssetNotFound(id) : TypedResults.Ok(new AssetHistoryView(history.Id, history.Changes, history.Telemetry, await commands));
    }

    private static async Task<Results<Ok<AssetDependencies>, BadRequestProblem, NotFoundProblem>> GetDependencies(string id, IGrainFactory grains, GatewayLoss gateways, Caller caller)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        if (await gateways.ReadAsync(() => grains.GetGrain<IAssetGrain>(id).GetAsync()) is not { } asset || !caller.Sees(asset)) return Problems.AssetNotFound(id);
        var d = asset.Dependencies;
        // Dependencies outside the caller's scope are left out, as a query would leave them out.
        async Task<Asset?> Visible(string dependency) => await gateways.ReadAsync(() => grains.GetGrain<IAssetGrain>(dependency).GetAsync()) is { } a && caller.Sees(a) ? a : null;
        var link = d.BackhaulLinkId is { } l ? Visible(l) : Task.FromResult<Asset?>(null);
        var watched = d.WatchedIntersectionId is { } w ? Visible(w) : Task.FromResult<Asset?>(null);
        var neighbours = Task.WhenAll(d.Neighbours.Select(n => Visible(n.IntersectionId)));
        return TypedResults.Ok(new AssetDependencies(
            asset.Id,
            await link is { } la ? new BackhaulState(la.Id, la.Link!.Condition, la.Status, la.Link.LatencyMs, la.Link.PacketLossPct) : null,
            asset.Type == AssetType.Link ? null : new PowerSupply(asset.District, d.PowerFeederId, asset.Upstream.Powered, asset.Upstream.PowerCause),
            await watched is { } wa ? new SignalState(wa.Id, wa.Intersection!.ActiveMode, wa.Status) : null,
            (await neighbours).Where(n => n is not null).Select(n => new SignalState(n!.Id, n.Intersection?.ActiveMode, n.Status))));
    }

    private static async Task<Results<Ok<AssetDependents>, BadRequestProblem, NotFoundProblem>> GetDependents(string id, IGrainFactory grains, GatewayLoss gateways, string? cursor, string? limit, Caller caller)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var count = QueryValues.Int("limit", limit, 1, MaxDependentsPage, 100);
        if (count.Problem is not null) return count.Problem;
        if (cursor is not null && !Ids.IsValid(cursor)) return Problems.Invalid("cursor", "is not a cursor this API returned");
        if (await gateways.ReadAsync(() => grains.GetGrain<IAssetGrain>(id).GetAsync()) is not { } asset || !caller.Sees(asset)) return Problems.AssetNotFound(id);
        var page = asset.Type switch
        {
            AssetType.Link => await gateways.ReadAsync(() => grains.GetGrain<IBackhaulGrain>(id).GetDependentsAsync(cursor, count.Value)),
            AssetType.Intersection => Page(asset.Intersection!.Cameras.Select(c => new Dependent(c.CameraId, AssetType.Camera, "watches")).ToArray(), cursor, count.Value),
            _ => new DependentsPage(0, [], null),
        };
        // A scoped caller sees the dependents of the types its scope shows in the asset's district (a link's dependents are its district's).
        if (!caller.Scope.IsEverything && caller.Scope.TypesIn(asset.District) is { } types)
            page = page.Items.Where(i => types.Contains(i.Type)).ToArray() is var shown ? new DependentsPage(shown.Length, shown, page.NextCursor) : page;
        return TypedResults.Ok(new AssetDependents(asset.Id, page.Total, page.Items, page.NextCursor));
    }

    private static async Task<Results<Accepted<TelemetryAnswer>, Ok<TelemetryAnswer>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> PostTelemetry(
        string id, HttpRequest request, IGrainFactory grains, TelemetryRouter router, Caller caller, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<Telemetry>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (!await caller.SeesAsync(grains, id)) return Problems.AssetNotFound(id);
        // Through the asset's district like a batch's readings: the district holds the live telemetry.
        if ((await router.RouteAsync([new TelemetryReading(id, body.Value!)], "http", ct))[0] is not { } result)
            return new UnavailableProblem(TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: Problems.TypeBase + "unavailable",
                title: "The twin is briefly unavailable", detail: "The reading was not applied; send it again."));
        return result.Outcome switch
        {
            TelemetryOutcome.Applied => TypedResults.Accepted((string?)null, new TelemetryAnswer("applied")),
            TelemetryOutcome.Stale => TypedResults.Ok(new TelemetryAnswer("stale", "An equally new or newer reading was already applied; this one was ignored.")),
            TelemetryOutcome.NotFound => Problems.AssetNotFound(id),
            _ => Problems.Invalid(result.Errors, "The reading is invalid"),
        };
    }

    private static async Task<Results<Ok<Asset>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> PostStatus(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<StatusChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.Status is not { } status || !Enum.IsDefined(status))
            return Problems.Invalid("status", "must be one of operational, degraded, faulted, offline, maintenance");
        var grain = grains.GetGrain<IAssetGrain>(id);
        if (await audit.Gateways.ReadAsync(() => grain.GetAsync()) is not { } before || !caller.Sees(before)) return Problems.AssetNotFound(id);
        if (await audit.BeginAsync(caller, "asset.status", id, Status(before), $"status={status}") is not { } entry) return CommandAudit.Unavailable();
        var asset = await entry.RunAsync(() => grain.SetStatusAsync(status), a => a is null ? ("not-found", null) : ("ok", Status(a)));
        return asset is null ? Problems.AssetNotFound(id) : TypedResults.Ok(asset);
    }

    /// <summary>An asset's state as the audit log shows it before and after a command.</summary>
    internal static string Status(Asset asset) => asset.Type switch
    {
        AssetType.Link => $"{asset.Status}, {asset.Link!.Condition}",
        AssetType.Intersection => $"{asset.Status}, {asset.Intersection!.ActiveMode}",
        _ => asset.Status.ToString(),
    };

    /// <summary>
    /// A command on one asset (a link's condition, a controller fault), for the endpoints that send one: refused as not
    /// found outside the caller's scope, audited (before, after, outcome), answered with the asset as it now is.
    /// </summary>
    internal static async Task<Results<Ok<Asset>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> CommandAsync(
        string id, IGrainFactory grains, Caller caller, CommandAudit audit, string action, string detail, Func<IAssetGrain, Task<UpsertResult>> command)
    {
        var grain = grains.GetGrain<IAssetGrain>(id);
        if (await audit.Gateways.ReadAsync(() => grain.GetAsync()) is not { } before || !caller.Sees(before)) return Problems.AssetNotFound(id);
        if (await audit.BeginAsync(caller, action, id, Status(before), detail) is not { } entry) return CommandAudit.Unavailable();
        var result = await entry.RunAsync(() => command(grain), r => r.Outcome switch
        {
            UpsertOutcome.NotFound => ("not-found", null),
            UpsertOutcome.Invalid => ("invalid", null),
            _ => ("ok", Status(r.Asset!)),
        });
        return result.Outcome switch
        {
            UpsertOutcome.NotFound => Problems.AssetNotFound(id),
            UpsertOutcome.Invalid => Problems.Invalid(result.Errors),
            _ => TypedResults.Ok(result.Asset!),
        };
    }

    private sealed record StatusChange(AssetStatus? Status);

    /// <summary>An asset's history, newest first: state changes, readings, and the commands sent to it (from the audit log).</summary>
    public sealed record AssetHistoryView(string Id, StateChange[] Changes, ReceivedReading[] Telemetry, IReadOnlyList<AuditEntry> Commands);

    /// <summary>One page of a query; <c>next</c> is the link to the following page, null on the last.</summary>
    public sealed record AssetPage(int Count, string? Next, string? NextCursor, IEnumerable<AssetItem> Items);

    /// <summary>A query hit: its attributes by name as JSON shows them; <c>distanceM</c> with <c>near</c> only.</summary>
    public sealed record AssetItem(string Id, AssetType Type, AssetStatus Status, string District, GeoPoint Location,
        Dictionary<string, object> Attributes, double? DistanceM);

    public sealed record AssetDependencies(string Id, BackhaulState? Backhaul, PowerSupply? Power, SignalState? WatchedIntersection, IEnumerable<SignalState> Neighbours);

    public sealed record BackhaulState(string Id, LinkCondition Condition, AssetStatus Status, double LatencyMs, double PacketLossPct);

    /// <summary>Whether the asset has power; <c>cause</c> is the feeder or district whose cut took it.</summary>
    public sealed record PowerSupply(string District, string? Feeder, bool Powered, string? Cause);

    public sealed record SignalState(string Id, ControlMode? ActiveMode, AssetStatus Status);

    public sealed record AssetDependents(string Id, int Total, Dependent[] Dependents, string? NextCursor);

    /// <summary>What became of a reading: applied (202) or stale (200, with why).</summary>
    public sealed record TelemetryAnswer(string Outcome, string? Detail = null);

    /// <summary>An intersection's cameras are few and already ordered by id: page them here.</summary>
    private static DependentsPage Page(Dependent[] all, string? cursor, int limit)
    {
        var rest = cursor is null ? all : all.Where(d => string.CompareOrdinal(d.Id, cursor) > 0).ToArray();
        var page = rest.Take(limit).ToArray();
        return new DependentsPage(all.Length, page, rest.Length > page.Length ? page[^1].Id : null);
    }

    private static AssetItem Item(AssetHit hit, bool withDistance) => new(hit.Summary.Id, hit.Summary.Type, hit.Summary.Status, hit.District,
        hit.Summary.Location, Attributes(hit), withDistance ? Math.Round(hit.DistanceM, 2) : null);

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
        request.GetTypedHeaders().Accept is { Count: > 0 } accept && accept.Any(a => a.MediaType.Equals(GeoJsonPage.MediaType, StringComparison.OrdinalIgnoreCase));

    private static string NextLink(HttpRequest request, string cursor)
    {
        var terms = (request.QueryString.Value ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(t => !t.StartsWith("cursor=", StringComparison.OrdinalIgnoreCase));
        return request.Path + "?" + string.Join('&', terms.Append("cursor=" + cursor));
    }

    /// <summary>An RFC 7946 FeatureCollection of the page; <c>next</c> is a foreign member, as GIS tools ignore what they do not know.</summary>
    private sealed class GeoJsonPage(QueryPage page, string? next, bool withDistance) : IResult
    {
        public const string MediaType = "application/geo+json";

        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.ContentType = MediaType;
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
