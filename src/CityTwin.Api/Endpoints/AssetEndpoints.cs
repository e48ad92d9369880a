using CityTwin.Contracts.Assets;
using CityTwin.Domain.Serialization;

namespace CityTwin.Api.Endpoints;

public static class AssetEndpoints
{
    public static IEndpointRouteBuilder MapAssetEndpoints(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("/api/assets").WithTags("Assets");
        assets.MapGet("/{id}", GetAsset).WithSummary("An asset's live state");
        assets.MapGet("/{id}/history", GetHistory).WithSummary("An asset's recent state changes (persisted, Twin:HistoryRetention) and readings (in memory, Twin:TelemetryHistory), newest first");
        assets.MapPost("/{id}/telemetry", PostTelemetry).WithSummary("Apply one device reading to an asset");
        assets.MapPost("/{id}/status", PostStatus).WithSummary("Set an asset's operational status");
        return app;
    }

    private static async Task<IResult> GetAsset(string id, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var asset = await grains.GetGrain<IAssetGrain>(id).GetAsync();
        return asset is null ? Problems.AssetNotFound(id) : Results.Json(asset, CityTwinJson.Options);
    }

    private static async Task<IResult> GetHistory(string id, string? limit, IGrainFactory grains)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var count = QueryValues.Int("limit", limit, 1, 1_000, 100);
        if (count.Problem is not null) return count.Problem;
        var history = await grains.GetGrain<IAssetGrain>(id).GetHistoryAsync(count.Value);
        return history is null ? Problems.AssetNotFound(id) : Results.Json(history, CityTwinJson.Options);
    }

    private static async Task<IResult> PostTelemetry(string id, HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<Telemetry>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        var result = await grains.GetGrain<IAssetGrain>(id).ApplyTelemetryAsync(body.Value!);
        return result.Outcome switch
        {
            TelemetryOutcome.Applied => Results.Accepted(value: new { outcome = "applied" }),
            TelemetryOutcome.Stale => Results.Ok(new { outcome = "stale", detail = "An equally new or newer reading was already applied; this one was ignored." }),
            TelemetryOutcome.NotFound => Problems.AssetNotFound(id),
            _ => Problems.Invalid(result.Errors, "The reading is invalid"),
        };
    }

    private static async Task<IResult> PostStatus(string id, HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not a valid asset id");
        var body = await JsonBody.ReadAsync<StatusChange>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.Status is not { } status || !Enum.IsDefined(status))
            return Problems.Invalid("status", "must be one of operational, degraded, faulted, offline, maintenance");
        var asset = await grains.GetGrain<IAssetGrain>(id).SetStatusAsync(status);
        return asset is null ? Problems.AssetNotFound(id) : Results.Json(asset, CityTwinJson.Options);
    }

    private sealed record StatusChange(AssetStatus? Status);
}
