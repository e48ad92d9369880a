using System.Collections.Concurrent;
using CityTwin.Contracts.Assets;

namespace CityTwin.Api.Ingest;

/// <summary>
/// Asset types by id, asked of the asset grains once and then remembered (a type never changes), so checking an
/// MQTT topic's type costs a grain call per asset, not per message. Unknown ids are not remembered: they may be
/// imported later. Bounded: past the limit it starts over.
/// </summary>
public sealed class AssetTypes(IGrainFactory grains)
{
    private const int MaxRemembered = 2_000_000;
    private readonly ConcurrentDictionary<string, AssetType> _known = new(StringComparer.Ordinal);

    public async Task<Dictionary<string, AssetType?>> GetAsync(IEnumerable<string> ids, CancellationToken ct)
    {
        var result = new Dictionary<string, AssetType?>(StringComparer.Ordinal);
        List<string>? missing = null;
        foreach (var id in ids)
        {
            if (result.ContainsKey(id)) continue;
            if (_known.TryGetValue(id, out var type)) result[id] = type;
            else
            {
                result[id] = null;
                (missing ??= []).Add(id);
            }
        }
        if (missing is null) return result;
        if (_known.Count + missing.Count > MaxRemembered) _known.Clear();
        var asked = await Task.WhenAll(missing.Select(async id => (id, type: await grains.GetGrain<IAssetGrain>(id).GetTypeAsync().WaitAsync(ct))));
        foreach (var (id, type) in asked)
        {
            result[id] = type;
            if (type is { } t) _known[id] = t;
        }
        return result;
    }
}
