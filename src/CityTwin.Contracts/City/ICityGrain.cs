namespace CityTwin.Contracts.City;

/// <summary>The city: the registry of its districts. One per twin, key <see cref="Key"/>.</summary>
[Alias("ICityGrain")]
public interface ICityGrain : IGrainWithStringKey
{
    const string Key = "city";

    [Alias("AddDistrict")]
    Task AddDistrictAsync(string districtId);

    [Alias("GetDistricts")]
    Task<string[]> GetDistrictsAsync();

    /// <summary>True exactly once per city and storage: whoever gets it seeds the default city.</summary>
    [Alias("ClaimSeeding")]
    Task<bool> ClaimSeedingAsync();
}
