using CityTwin.Storage;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Api.Access;
using CityTwin.Domain.Access;
using CityTwin.Domain.Queries;

namespace CityTwin.Api.Queries;

/// <summary>
/// Answers asset queries from the districts' partitions of the read model: asks only the districts a query can
/// touch (those it names, or whose bounds overlap its area) and merges their pages. The districts and their bounds
/// come from the city's reports, re-read at most every <see cref="DirectoryTtl"/>.
/// </summary>
public sealed class ReadModel(IGrainFactory grains, GatewayLoss gateways, TimeProvider time)
{
    private static readonly TimeSpan DirectoryTtl = TimeSpan.FromSeconds(1);
    private (DateTimeOffset At, Task<Directory> Directory)? _directory;
    private CityStats _stats = new([], null, -1);

    /// <summary>The query's page over the districts the scope shows, each asked only for the types the scope shows there.</summary>
    public async Task<QueryPage> SearchAsync(AssetQuery query, AccessScope scope)
    {
        var asks = Partitions(await DirectoryAsync(), query)
            .Select(d => (District: d, Query: ScopedViews.Query(query, d, scope)))
            .Where(a => a.Query is not null);
        var pages = await Task.WhenAll(asks.Select(a => gateways.ReadAsync(() => grains.GetGrain<IDistrictGrain>(a.District).QueryAsync(a.Query!))));
        return AssetIndex.Merge(pages, query.Limit);
    }

    /// <summary>The city's stats: the copy held here unless the city has a newer version (then fetched once).</summary>
    public async Task<CityStats> StatsAsync()
    {
        var held = _stats;
        if (await gateways.ReadAsync(() => grains.GetGrain<ICityGrain>(ICityGrain.Key).GetStatsAsync(held.Version)) is not { } fresh) return held;
        _stats = fresh;
        return fresh;
    }

    /// <summary>The last city-wide <c>/api/stats</c> body, for the stats version and alarm counts it was made from.</summary>
    public (long Version, string Alarms, byte[] Body)? RenderedStats { get; set; }

    /// <summary>The districts to ask: named ones that exist; of those, the ones whose bounds meet the query's area (unknown bounds: ask).</summary>
    public static IEnumerable<string> Partitions(Directory directory, AssetQuery query)
    {
        IEnumerable<string> candidates = query.Districts.Length > 0 ? query.Districts.Where(directory.Districts.Contains) : directory.Districts;
        if (query.Area is not { } area) return candidates;
        return candidates.Where(d => !directory.Bounds.TryGetValue(d, out var b) || b is not { } box || box.Intersects(area));
    }

    private Task<Directory> DirectoryAsync()
    {
        var now = time.GetUtcNow();
        if (_directory is { } cached && now - cached.At < DirectoryTtl && !cached.Directory.IsFaulted) return cached.Directory;
        var load = LoadAsync();
        _directory = (now, load);
        return load;
    }

    private async Task<Directory> LoadAsync()
    {
        var city = grains.GetGrain<ICityGrain>(ICityGrain.Key);
        var districts = gateways.ReadAsync(city.GetDistrictsAsync);
        var stats = await StatsAsync();
        return new Directory(
            [.. await districts],
            stats.Districts.ToDictionary(r => r.District, r => r.Bounds, StringComparer.Ordinal));
    }

    /// <summary>The city's districts and the box each last reported (null: it has no assets).</summary>
    public sealed record Directory(HashSet<string> Districts, Dictionary<string, GeoBox?> Bounds);
}
