using CityTwin.Api.Access;
using CityTwin.Api.Ingest;
using CityTwin.Contracts.Assets;
using CityTwin.Domain.Ingest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// Telemetry ingest: a batch of readings in one request, and the MQTT bridge's status. A malformed batch is refused
/// whole (400, every bad reading named, nothing applied); in a well-formed one each reading stands alone, like
/// messages to an IoT hub: those for unknown assets or invalid for their asset are reported, the rest applied.
/// </summary>
public static class IngestEndpoints
{
    public const string NdjsonMediaType = "application/x-ndjson";

    public static RouteGroupBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        var telemetry = app.MapGroup("/api/telemetry").WithTags("Telemetry");
        telemetry.MapPost("/", PostBatch).RequireAuthorization(AccessPolicies.Ingest).WithSummary("Apply a batch of device readings (JSON array or NDJSON), each with its asset id");
        telemetry.MapGet("/mqtt", GetMqttStatus).RequireAuthorization(AccessPolicies.Read).WithSummary("The MQTT bridge: connection, counts, last errors");
        return telemetry;
    }

    private static async Task<Results<Ok<BatchReport>, BadRequestProblem, BodyProblem>> PostBatch(HttpRequest request, TelemetryRouter router, IOptions<IngestOptions> options, Caller caller, AssetPlaces places, CancellationToken ct)
    {
        var limits = options.Value;
        if (JsonBody.MediaTypeProblem(request, "application/json", NdjsonMediaType) is { } wrongType) return wrongType;
        var body = await JsonBody.ReadBytesAsync(request, limits.MaxBodyBytes, ct);
        if (body.Problem is not null) return body.Problem;

        var ndjson = string.Equals(request.ContentType?.Split(';')[0].Trim(), NdjsonMediaType, StringComparison.OrdinalIgnoreCase);
        var batch = ndjson
            ? TelemetryBatchParser.ParseNdjson(body.Value!.Value.Span, limits.MaxReadings)
            : TelemetryBatchParser.ParseArray(body.Value!.Value.Span, limits.MaxReadings);
        if (batch.TooMany)
            return new BodyProblem(TypedResults.Problem(type: Problems.TooLarge, title: "Too many readings", statusCode: 413,
                detail: $"A batch holds at most {limits.MaxReadings:N0} readings (Ingest:MaxReadings); split it. Nothing was applied.",
                extensions: new Dictionary<string, object?> { ["maxReadings"] = limits.MaxReadings }));
        if (batch.IsMalformed) return Malformed(batch.Errors);
        if (batch.Readings.Count == 0) return Problems.Invalid("$", "the batch holds no readings");

        var results = caller.Scope.IsEverything
            ? await router.RouteAsync(batch.Readings, "http", ct)
            : await RouteInScopeAsync(batch.Readings, router, caller, places, ct);
        return TypedResults.Ok(Report(batch.Readings, results));
    }

    /// <summary>
    /// A device limited to districts (or types) sends readings for its own assets only: the others are reported as
    /// not found, as the rest of the API answers for assets outside a caller's scope. Costs a place lookup per new asset.
    /// </summary>
    private static async Task<TelemetryResult?[]> RouteInScopeAsync(IReadOnlyList<TelemetryReading> readings, TelemetryRouter router, Caller caller, AssetPlaces places, CancellationToken ct)
    {
        var known = await places.GetAsync(readings.Select(r => r.AssetId), ct);
        var inScope = new List<int>(readings.Count);
        for (var i = 0; i < readings.Count; i++)
            if (known.GetValueOrDefault(readings[i].AssetId) is { } place && caller.Scope.Allows(place.District, place.Type)) inScope.Add(i);
        var routed = await router.RouteAsync(inScope.ConvertAll(i => readings[i]), "http", ct);
        var results = Enumerable.Repeat<TelemetryResult?>(TelemetryResult.NotFound, readings.Count).ToArray();
        for (var k = 0; k < inScope.Count; k++) results[inScope[k]] = routed[k];
        return results;
    }

    private static Results<Ok<MqttStatus.BridgeOff>, Ok<MqttStatus.BridgeView>> GetMqttStatus(MqttStatus status) =>
        status.Snapshot() is { } view ? TypedResults.Ok(view) : TypedResults.Ok(MqttStatus.Off);

    private static BodyProblem Malformed(IReadOnlyList<BatchError> errors) =>
        new(TypedResults.Problem(type: Problems.Validation, title: "The batch is malformed; nothing was applied", statusCode: 400,
            detail: string.Join("; ", errors.Take(10).Select(e => $"{Where(e)} {e.Field}: {e.Message}")) + (errors.Count > 10 ? $"; and {errors.Count - 10} more" : ""),
            extensions: new Dictionary<string, object?> { ["errors"] = errors }));

    private static string Where(BatchError e) => e.Line is { } line ? $"line {line}" : $"[{e.Index}]";

    private static BatchReport Report(IReadOnlyList<TelemetryReading> readings, TelemetryResult?[] results)
    {
        var (applied, stale) = (0, 0);
        var rejected = new List<RejectedReading>();
        for (var i = 0; i < results.Length; i++)
        {
            switch (results[i]?.Outcome)
            {
                case TelemetryOutcome.Applied: applied++; break;
                case TelemetryOutcome.Stale: stale++; break;
                case TelemetryOutcome.NotFound:
                    rejected.Add(new(i, readings[i].AssetId, 404, "not-found", [new("id", $"no asset has the id '{readings[i].AssetId}'")]));
                    break;
                case TelemetryOutcome.Invalid:
                    rejected.Add(new(i, readings[i].AssetId, 422, "invalid", results[i]!.Errors));
                    break;
                default:
                    rejected.Add(new(i, readings[i].AssetId, 503, "unavailable", [new("$", "the twin could not be reached; send this reading again")]));
                    break;
            }
        }
        return new BatchReport(results.Length, applied, stale, rejected);
    }

    /// <summary>The answer to a well-formed batch.</summary>
    public sealed record BatchReport(int Received, int Applied, int Stale, IReadOnlyList<RejectedReading> Rejected);

    /// <summary>A reading that was not applied: its position, asset, an HTTP-like status and why.</summary>
    public sealed record RejectedReading(int Index, string Id, int Status, string Reason, IReadOnlyList<ValidationError> Errors);
}
