namespace CityTwin.Contracts.Districts;

/// <summary>A district: knows its assets and keeps their counts by type and status. Keyed by district id.</summary>
[Alias("IDistrictGrain")]
public interface IDistrictGrain : IGrainWithStringKey
{
    /// <summary>Adds or updates an asset's summary (its type, status and location).</summary>
    [Alias("Track")]
    Task TrackAsync(AssetSummary asset);

    /// <summary>Removes an asset that moved to another district.</summary>
    [Alias("Forget")]
    Task ForgetAsync(string assetId);

    /// <summary>The district's counts and one page of its assets ordered by id, after <paramref name="cursor"/>.</summary>
    [Alias("Get")]
    Task<DistrictView> GetAsync(string? cursor, int limit);
}
