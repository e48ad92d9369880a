using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Domain.Access;
using CityTwin.Domain.Queries;

namespace CityTwin.Api.Access;

/// <summary>
/// What a scoped caller sees of the read model's answers: only its districts, and in each only its types — counts and
/// KPIs recomputed from what remains, so a total never gives away assets the caller may not see.
/// </summary>
public static class ScopedViews
{
    /// <summary>The district's report as the scope shows it; null when the scope shows nothing of it.</summary>
    public static DistrictReport? Report(DistrictReport report, AccessScope scope)
    {
        if (scope.IsEverything) return report;
        var types = scope.TypesIn(report.District);
        if (types is null) return report;
        if (types.Count == 0) return null;
        var counts = report.Counts.Where(c => types.Contains(c.Type)).ToArray();
        var total = counts.Sum(c => c.Count);
        return report with
        {
            Counts = counts,
            Total = total,
            PowerDrawKw = types.Contains(AssetType.Pole) ? report.PowerDrawKw : 0,
            CongestionIndex = types.Contains(AssetType.Intersection) ? report.CongestionIndex : 0,
            OfflineRatio = OfflineRatio(counts, total),
            CamerasWithoutFeed = types.Contains(AssetType.Camera) ? report.CamerasWithoutFeed : 0,
            LinksDown = types.Contains(AssetType.Link) ? report.LinksDown : 0,
        };
    }

    /// <summary>The district as the scope shows it; null when the scope shows nothing of it.</summary>
    public static DistrictView? District(DistrictView view, AccessScope scope)
    {
        if (scope.IsEverything) return view;
        var types = scope.TypesIn(view.Id);
        if (types is null) return view;
        if (types.Count == 0) return null;
        var counts = view.Counts.Where(c => types.Contains(c.Type)).ToArray();
        var total = counts.Sum(c => c.Count);
        return view with
        {
            Counts = counts,
            Total = total,
            Assets = [.. view.Assets.Where(a => types.Contains(a.Type))],
            PowerDrawKw = types.Contains(AssetType.Pole) ? view.PowerDrawKw : 0,
            CongestionIndex = types.Contains(AssetType.Intersection) ? view.CongestionIndex : 0,
            OfflineRatio = OfflineRatio(counts, total),
        };
    }

    /// <summary>The query per district it may ask: its types narrowed to the scope's; null where the scope leaves nothing to find.</summary>
    public static AssetQuery? Query(AssetQuery query, string district, AccessScope scope)
    {
        if (scope.IsEverything) return query;
        var types = scope.TypesIn(district);
        if (types is null) return query;
        var narrowed = query.Types.Length == 0 ? [.. types.Order()] : query.Types.Where(types.Contains).ToArray();
        return narrowed.Length == 0 ? null : query with { Types = narrowed };
    }

    public static bool Allows(this AccessScope scope, Alarm alarm) => scope.Allows(alarm.District, alarm.AssetType);

    private static double OfflineRatio(StatusCount[] counts, int total) =>
        total == 0 ? 0 : Math.Round(counts.Where(c => c.Status == AssetStatus.Offline).Sum(c => c.Count) / (double)total, 4);
}
