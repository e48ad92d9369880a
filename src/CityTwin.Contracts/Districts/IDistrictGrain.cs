using CityTwin.Contracts.Hosting;

namespace CityTwin.Contracts.Districts;

/// <summary>
/// A district's aggregate: its assets' summaries, counts by type and status, power draw and congestion. Fed by the
/// district's <c>changes</c> stream. Keyed by district id.
/// </summary>
[Alias("IDistrictGrain")]
public interface IDistrictGrain : IGrainWithStringKey
{
    /// <summary>The district's aggregates and one page of its assets ordered by id, after <paramref name="cursor"/>.</summary>
    [Alias("Get"), AnyGateway]
    Task<DistrictView> GetAsync(string? cursor, int limit);

    /// <summary>
    /// Up to a page of the district's assets matching <paramref name="query"/>, after its cursor, from the district's
    /// read model. Interleaves: it reads the index in one turn, so a query never waits behind a burst of changes.
    /// </summary>
    [Alias("Query"), Orleans.Concurrency.AlwaysInterleave, AnyGateway]
    Task<CityTwin.Domain.Queries.PartitionPage> QueryAsync(CityTwin.Domain.Queries.AssetQuery query);

    /// <summary>
    /// The district's copy of the asset: the sequence of its last change applied here (an asset that activates knows
    /// whether to announce itself) and its newest readings. Interleaves: the asset grain asks while the district may be
    /// waiting for it.
    /// </summary>
    [Alias("LiveOf"), Orleans.Concurrency.AlwaysInterleave]
    Task<LiveAsset> LiveOfAsync(string assetId);

    /// <summary>
    /// <see cref="LiveOfAsync"/> of each of <paramref name="assetIds"/>, in order: a bulk read's one question for a page
    /// of the district's assets (<see cref="DistrictAssets.ReadAsync"/>) instead of one from each asset.
    /// </summary>
    [Alias("LiveOfMany"), Orleans.Concurrency.AlwaysInterleave]
    Task<LiveAsset[]> LiveOfManyAsync(string[] assetIds);

    /// <summary>The last readings of the asset the district applied, newest first.</summary>
    [Alias("ReadingsOf"), Orleans.Concurrency.AlwaysInterleave]
    Task<CityTwin.Contracts.Assets.ReceivedReading[]> ReadingsOfAsync(string assetId, int limit);

    /// <summary>
    /// Applies readings of the district's assets to their live telemetry in one turn, one result per reading (null:
    /// could not be applied, send again). A reading that changes an asset's behaviour (status, alarms, a camera's
    /// feed) is also handed to its grain; one of an asset the district does not hold yet goes through its grain.
    /// </summary>
    [Alias("ApplyTelemetry")]
    Task<CityTwin.Contracts.Assets.TelemetryResult?[]> ApplyTelemetryAsync(CityTwin.Domain.Ingest.TelemetryReading[] readings);

    /// <summary>
    /// Activates the district if it is not, and makes it report to the city at its next report tick: the city keeps
    /// reports in memory only, and a district that nothing asked since a restart would otherwise report nothing.
    /// Completes once the district is active (fails if its state could not be read).
    /// </summary>
    [Alias("Wake")]
    Task WakeAsync();

    /// <summary>
    /// Returns once every change published to the district before the call has been applied (read your writes after
    /// an import), or false after <paramref name="timeout"/>.
    /// </summary>
    [Alias("Settle"), Orleans.Concurrency.AlwaysInterleave]
    Task<bool> SettleAsync(TimeSpan timeout);

    /// <summary>
    /// The district's changes that telemetry caused, coalesced per window by the silo that applied the readings and
    /// called directly (no stream hop). Applied like the stream's: the newer sequence of an asset wins.
    /// </summary>
    [Alias("OnChanges")]
    Task OnChangesAsync(CityTwin.Contracts.Events.AssetChange[] changes);
}
