using CityTwin.Contracts.City;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// Asks the city whether a district exists before any district grain is touched: a district grain activated for an
/// id that names nothing reports itself to the city, and /api/stats then lists a phantom district — a refused
/// request (found by the hostile-input fuzz) would have changed what the twin shows.
/// </summary>
internal static class KnownDistricts
{
    /// <summary>Null if the district exists; else a 400 naming <paramref name="field"/> (malformed) or a 404.</summary>
    public static async Task<IResult?> ProblemAsync(IGrainFactory grains, string id, string field)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid(field, "is not a valid district id");
        var districts = await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync();
        return Array.BinarySearch(districts, id, StringComparer.Ordinal) >= 0 ? null : Problems.DistrictNotFound(id);
    }
}
