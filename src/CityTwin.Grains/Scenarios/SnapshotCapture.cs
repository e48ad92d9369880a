using CityTwin.Contracts.Assets;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Grains.Scenarios;

/// <summary>
/// Freezes the live twin for a what-if: the members of a district (or of every district) from the district grains,
/// then each member's configuration and state from its asset grain with the district's newest readings
/// (<see cref="DistrictAssets.ReadAsync"/>: a page's readings in one question, however busy the district), plus the
/// LEO links they hang on from other districts. Read-only: only <c>Get</c> methods are called.
/// </summary>
public static class SnapshotCapture
{
    public const int PageSize = 1_000;

    /// <summary>The assets of <paramref name="districtId"/> (null: the whole city), ordered by id.</summary>
    public static async Task<Asset[]> CaptureAssetsAsync(IGrainFactory grains, string? districtId, CancellationToken cancellationToken = default)
    {
        var districts = districtId is null ? await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync() : [districtId];
        var all = new List<Asset>();
        foreach (var district in districts)
        {
            string? cursor = null;
            do // a page at a time: its thousand reads keep the silos busy
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await grains.GetGrain<IDistrictGrain>(district).GetAsync(cursor, PageSize);
                all.AddRange((await DistrictAssets.ReadAsync(grains, district, [.. page.Assets.Select(a => a.Id)])).OfType<Asset>());
                cursor = page.NextCursor;
            } while (cursor is not null);
        }

        var have = all.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        // A few links of other districts, read one by one: too few to keep their districts from answering.
        var links = all.Select(a => a.Dependencies.BackhaulLinkId).OfType<string>().Where(l => !have.Contains(l)).Distinct(StringComparer.Ordinal).ToList();
        all.AddRange((await Task.WhenAll(links.Select(id => grains.GetGrain<IAssetGrain>(id).GetAsync()))).OfType<Asset>());
        all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return [.. all];
    }

    /// <summary>A snapshot of <paramref name="districtId"/> (null: the whole city).</summary>
    public static async Task<TwinSnapshot> CaptureAsync(IGrainFactory grains, string? districtId, CancellationToken cancellationToken = default) =>
        TwinSnapshot.FromAssets(await CaptureAssetsAsync(grains, districtId, cancellationToken));

    /// <summary>
    /// A spec's snapshot: its district or the whole city, read-only from the live twin; a saved snapshot of that name
    /// (a live district's name wins: a snapshot cannot be saved under one); or the assets it brings.
    /// </summary>
    public static async Task<TwinSnapshot> ForSpecAsync(IGrainFactory grains, ScenarioSpec spec)
    {
        if (spec.SnapshotId is not { } snapshotId) return TwinSnapshot.FromAssets(spec.Assets!);
        if (snapshotId == IScenarioGrain.CitySnapshot) return await CaptureAsync(grains, null);
        if (await IsDistrictAsync(grains, snapshotId)) return await CaptureAsync(grains, snapshotId);
        return await grains.GetGrain<ISnapshotGrain>(snapshotId).GetSnapshotAsync()
            ?? throw new InvalidOperationException($"snapshot '{snapshotId}' no longer exists");
    }

    /// <summary>Whether a spec's snapshotId names something: the city, a live district or a saved snapshot.</summary>
    public static async Task<bool> ExistsAsync(IGrainFactory grains, string snapshotId) =>
        snapshotId == IScenarioGrain.CitySnapshot || await IsDistrictAsync(grains, snapshotId)
        || await grains.GetGrain<ISnapshotGrain>(snapshotId).GetAsync() is not null;

    /// <summary>The error for a snapshotId that names nothing (<paramref name="field"/>: its JSON path).</summary>
    public static ValidationError Unknown(string field) =>
        new(field, $"names no district of the live twin and no saved snapshot (give a district id, '{IScenarioGrain.CitySnapshot}' or a snapshot's name)");

    private static async Task<bool> IsDistrictAsync(IGrainFactory grains, string id) =>
        (await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync()).Contains(id, StringComparer.Ordinal);
}
