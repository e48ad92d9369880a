using CityTwin.Contracts.Assets;

namespace CityTwin.Contracts.Districts;

/// <summary>Reads many assets of one district, each with the district's newest readings: exports and scenarios' snapshots.</summary>
public static class DistrictAssets
{
    /// <summary>
    /// The assets <paramref name="ids"/> of <paramref name="district"/> in order (null where no asset has the id): one
    /// question to the district for all their readings, then one call to each asset grain with its own.
    /// </summary>
    public static async Task<Asset?[]> ReadAsync(IGrainFactory grains, string district, string[] ids)
    {
        if (ids.Length == 0) return [];
        var live = await grains.GetGrain<IDistrictGrain>(district).LiveOfManyAsync(ids);
        return await Task.WhenAll(ids.Select((id, i) => grains.GetGrain<IAssetGrain>(id).GetWithAsync(live[i])));
    }
}
