using CityTwin.Contracts.Hosting;

namespace CityTwin.Contracts.City;

/// <summary>The city: the registry of its districts. One per twin, key <see cref="Key"/>.</summary>
[Alias("ICityGrain")]
public interface ICityGrain : IGrainWithStringKey
{
    const string Key = "city";

    [Alias("AddDistrict")]
    Task AddDistrictAsync(string districtId);

    [Alias("GetDistricts"), AnyGateway]
    Task<string[]> GetDistrictsAsync();

    /// <summary>A district's latest counts, KPIs and bounds (see <see cref="DistrictReport"/>).</summary>
    [Alias("Report"), Orleans.Concurrency.OneWay]
    Task ReportAsync(DistrictReport report);

    /// <summary>
    /// Every district's last report: what <c>/api/stats</c> shows and how area queries pick their districts. Null when
    /// the city's stats are still at <paramref name="unlessVersion"/>: the caller's copy is current (400 districts'
    /// reports are ≈ 150 KB, not worth sending for nothing).
    /// </summary>
    [Alias("GetStats"), Orleans.Concurrency.ReadOnly, AnyGateway]
    Task<CityStats?> GetStatsAsync(long unlessVersion = -1);

    /// <summary>True exactly once per city and storage: whoever gets it seeds the default city.</summary>
    [Alias("ClaimSeeding")]
    Task<bool> ClaimSeedingAsync();
}
