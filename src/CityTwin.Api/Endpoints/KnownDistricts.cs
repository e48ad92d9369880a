using CityTwin.Contracts.City;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// Asks the city whether a district exists before any district grain is touched: a district grain activated for an
/// id that names nothing reports itself to the city, and /api/stats then lists a phantom district — a refused
/// request (found by the hostile-input fuzz) would have changed what the twin shows.
/// </summary>
internal static class KnownDistricts
{
    /// <summary>A 400 naming <paramref name="field"/> if <paramref name="id"/> cannot be a district id; else null.</summary>
    public static BadRequestProblem? Malformed(string id, string field) =>
        Ids.IsValid(id) ? null : Problems.Invalid(field, "is not a valid district id");

    /// <summary>Whether the city knows the district; ask only for an id that is not <see cref="Malformed"/>.</summary>
    public static async Task<bool> ExistsAsync(IGrainFactory grains, string id)
    {
        var districts = await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync();
        return Array.BinarySearch(districts, id, StringComparer.Ordinal) >= 0;
    }
}
