using CityTwin.Api.Access;
using System.Text.Json;
using CityTwin.Api.Queries;
using CityTwin.Api.Stats;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Domain.Alarms;
using CityTwin.Domain.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>How the city stands: counts and KPIs from the districts' reports, city-wide or for some districts.</summary>
public static class StatsEndpoints
{
    public static RouteGroupBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        var stats = app.MapGroup("/api/stats").WithTags("Stats");
        stats.MapGet("", Stats).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Counts by type × status × district and city-wide KPIs")
            .WithDescription("From the districts' reports, at most `Twin:DistrictReportInterval` (250 ms) behind the districts. `?district=` narrows to some districts.")
            .Produces<CityStatsView>(200, "application/json"); // written pre-rendered, as bytes
        stats.MapGet("/history", History).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("The city's KPIs over the last hour, a point every 10 s")
            .WithDescription("Sampled by this API process from the districts' reports every `Api:StatsHistory:Interval` (10 s); the last " +
                             "`Api:StatsHistory:Window` (1 h) is kept, so a console that opens has the hour at once. Each point: assets, power draw, " +
                             "congestion, offline share, cameras without feed, links down, as `/api/stats` computes them. `?district=` narrows to " +
                             "some districts; a scoped caller's points count only its districts and types.");
        return stats;
    }

    private static async Task<Results<FileContentHttpResult, BadRequestProblem>> Stats(HttpRequest request, ReadModel readModel, IGrainFactory grains, Caller caller)
    {
        var wanted = request.Query["district"].SelectMany(v => v!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        if (wanted.FirstOrDefault(d => !Ids.IsValid(d)) is { } bad) return Problems.Invalid("district", $"'{bad}' is not a valid district id");
        if (!caller.Scope.IsEverything)
        {
            // A scoped caller's stats: its districts and types only, counts and KPIs recomputed from them (not cached).
            var all = await readModel.StatsAsync();
            var shown = all.Districts.Where(d => wanted.Count == 0 || wanted.Contains(d.District))
                .Select(d => ScopedViews.Report(d, caller.Scope)).OfType<DistrictReport>().ToArray();
            var counts = await AlarmEndpoints.ActiveCountsAsync(grains, shown.Select(d => d.District), caller.Scope);
            return TypedResults.Bytes(Render(all, shown, counts), "application/json");
        }
        var alarms = grains.GetGrain<IAlarmBoardGrain>(IAlarmBoardGrain.Key).GetActiveCountsAsync();
        var stats = await readModel.StatsAsync();
        var districts = wanted.Count == 0 ? stats.Districts : [.. stats.Districts.Where(d => wanted.Contains(d.District))];
        var active = await alarms;
        // City-wide, the body only changes with a district's report or an alarm: render it once per change.
        var key = string.Join(',', active);
        if (wanted.Count == 0 && readModel.RenderedStats is { } cached && cached.Version == stats.Version && cached.Alarms == key)
            return TypedResults.Bytes(cached.Body, "application/json");
        var body = Render(stats, districts, active);
        if (wanted.Count == 0) readModel.RenderedStats = (stats.Version, key, body);
        return TypedResults.Bytes(body, "application/json");
    }

    private static Results<Ok<StatsHistoryView>, BadRequestProblem> History(HttpRequest request, StatsHistory history, Caller caller)
    {
        var wanted = request.Query["district"].SelectMany(v => v!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        if (wanted.FirstOrDefault(d => !Ids.IsValid(d)) is { } bad) return Problems.Invalid("district", $"'{bad}' is not a valid district id");
        var points = history.Samples().Select(s =>
        {
            // As /api/stats: a scoped caller's districts and types only, recomputed from them.
            var shown = s.Districts.Where(d => wanted.Count == 0 || wanted.Contains(d.District))
                .Select(d => ScopedViews.Report(d, caller.Scope)).OfType<DistrictReport>().ToArray();
            var k = Kpis(shown);
            return new StatsPoint(s.At, k.Assets, k.PowerDrawKw, k.CongestionIndex, k.OfflineRatio, k.CamerasWithoutFeed, k.LinksDown);
        }).ToArray();
        return TypedResults.Ok(new StatsHistoryView(history.Options.Interval.TotalSeconds, history.Options.Window.TotalSeconds,
            wanted.Count == 0 ? null : [.. wanted.Order(StringComparer.Ordinal)], points));
    }

    /// <summary>The city-wide KPIs of some districts' reports (what both the stats and their history show).</summary>
    private static (int Assets, double PowerDrawKw, double CongestionIndex, double OfflineRatio, int CamerasWithoutFeed, int LinksDown) Kpis(IReadOnlyList<DistrictReport> districts)
    {
        var intersections = districts.Sum(d => Count(d, AssetType.Intersection));
        var total = districts.Sum(d => d.Total);
        return (total,
            Math.Round(districts.Sum(d => d.PowerDrawKw), 3),
            // Intersection-weighted, as each district's index is the mean over its intersections.
            intersections == 0 ? 0 : Math.Round(districts.Sum(d => d.CongestionIndex * Count(d, AssetType.Intersection)) / intersections, 3),
            total > 0 ? Math.Round(districts.Sum(d => d.OfflineRatio * d.Total) / total, 4) : 0,
            districts.Sum(d => d.CamerasWithoutFeed),
            districts.Sum(d => d.LinksDown));
    }

    private static byte[] Render(CityStats stats, IReadOnlyList<DistrictReport> districts, int[] active)
    {
        var k = Kpis(districts);
        return JsonSerializer.SerializeToUtf8Bytes(new CityStatsView(
            stats.UpdatedAt,
            new CityTotals(
                k.Assets,
                Enum.GetValues<AssetType>().ToDictionary(t => t, t => Enum.GetValues<AssetStatus>()
                    .Select(s => (s, n: districts.Sum(d => d.Counts.Where(c => c.Type == t && c.Status == s).Sum(c => c.Count))))
                    .Where(x => x.n > 0).ToDictionary(x => x.s, x => x.n)),
                k.PowerDrawKw,
                k.CongestionIndex,
                k.OfflineRatio,
                k.CamerasWithoutFeed,
                k.LinksDown,
                Enum.GetValues<AlarmSeverity>().ToDictionary(s => s, s => (int)s < active.Length ? active[(int)s] : 0)),
            districts.Select(d => new DistrictStats(
                d.District, d.Total, d.Counts, d.PowerDrawKw, d.CongestionIndex, d.OfflineRatio, d.CamerasWithoutFeed, d.LinksDown,
                d.Bounds is { } b ? [b.MinLon, b.MinLat, b.MaxLon, b.MaxLat] : null, d.At))), CityTwinJson.Options);
    }

    private static int Count(DistrictReport d, AssetType type) => d.Counts.Where(c => c.Type == type).Sum(c => c.Count);

    public sealed record CityStatsView(DateTimeOffset? UpdatedAt, CityTotals City, IEnumerable<DistrictStats> Districts);

    public sealed record CityTotals(int Assets, Dictionary<AssetType, Dictionary<AssetStatus, int>> ByType, double PowerDrawKw, double CongestionIndex,
        double OfflineRatio, int CamerasWithoutFeed, int LinksDown, Dictionary<AlarmSeverity, int> ActiveAlarms);

    /// <summary>One district's report; <c>bbox</c> is minLon, minLat, maxLon, maxLat.</summary>
    public sealed record DistrictStats(string Id, int Total, StatusCount[] Counts, double PowerDrawKw, double CongestionIndex, double OfflineRatio,
        int CamerasWithoutFeed, int LinksDown, double[]? Bbox, DateTimeOffset ReportedAt);

    /// <summary>The last hour of KPIs: <c>districts</c> null for the whole city (as the caller's scope shows it).</summary>
    public sealed record StatsHistoryView(double IntervalSeconds, double WindowSeconds, string[]? Districts, StatsPoint[] Points);

    public sealed record StatsPoint(DateTimeOffset At, int Assets, double PowerDrawKw, double CongestionIndex, double OfflineRatio, int CamerasWithoutFeed, int LinksDown);
}
