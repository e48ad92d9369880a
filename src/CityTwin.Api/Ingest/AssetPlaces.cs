using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using CityTwin.Contracts.Assets;

namespace CityTwin.Api.Ingest;

/// <summary>
/// Asset types and districts by id, asked of the asset grains and then remembered, so checking an MQTT topic costs a
/// grain call per asset now and then, not per message. A type never changes; a district may (an import moves an
/// asset), so a remembered place is asked again after <see cref="Recheck"/>, and at once when a topic names another
/// district — a moved asset's device is not refused for longer than it takes to ask. Unknown ids are not
/// remembered: they may be imported later. Bounded: past the limit it starts over.
/// </summary>
public sealed class AssetPlaces(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan Recheck = TimeSpan.FromMinutes(1);
    private const int MaxRemembered = 2_000_000;
    private readonly ConcurrentDictionary<string, (AssetPlace Place, DateTimeOffset At)> _known = new(StringComparer.Ordinal);

    /// <summary>For readings that name no district (HTTP batches): a remembered place stands until <see cref="Recheck"/>.</summary>
    public Task<Dictionary<string, AssetPlace?>> GetAsync(IEnumerable<string> ids, CancellationToken ct) =>
        GetAsync(ids.Select(id => (id, _known.TryGetValue(id, out var known) ? known.Place.District : "")), ct);

    /// <summary>
    /// For routing readings to their district: a remembered place stands however old (a district that no longer holds
    /// the asset hands its readings to the asset's grain, so a stale place costs a hop, not a reading). One lookup a
    /// reading — the router asks <see cref="ForRoutingAsync"/> only for the ids this misses.
    /// </summary>
    public bool TryRemembered(string id, [MaybeNullWhen(false)] out AssetPlace place)
    {
        var found = _known.TryGetValue(id, out var known);
        place = known.Place;
        return found;
    }

    /// <summary>For routing, the places <see cref="TryRemembered"/> did not know: asked of the asset grains.</summary>
    public Task<Dictionary<string, AssetPlace?>> ForRoutingAsync(IEnumerable<string> ids, CancellationToken ct) =>
        GetAsync(ids.Select(id => (id, _known.TryGetValue(id, out var known) ? known.Place.District : "")), ct, recheck: false);

    /// <param name="topics">Each asset id with the district its topic named.</param>
    public async Task<Dictionary<string, AssetPlace?>> GetAsync(IEnumerable<(string Id, string District)> topics, CancellationToken ct, bool recheck = true)
    {
        var now = time.GetUtcNow();
        var result = new Dictionary<string, AssetPlace?>(StringComparer.Ordinal);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, district) in topics)
        {
            if (missing.Contains(id)) continue;
            if (_known.TryGetValue(id, out var known) && (!recheck || now - known.At < Recheck) && known.Place.District == district) result[id] = known.Place;
            else
            {
                result[id] = null;
                missing.Add(id);
            }
        }
        if (missing.Count == 0) return result;
        if (_known.Count + missing.Count > MaxRemembered) _known.Clear();
        var asked = await Task.WhenAll(missing.Select(async id => (id, place: await grains.GetGrain<IAssetGrain>(id).GetPlaceAsync().WaitAsync(ct))));
        foreach (var (id, place) in asked)
        {
            result[id] = place;
            if (place is not null) _known[id] = (place, now);
            else _known.TryRemove(id, out _);
        }
        return result;
    }
}
