namespace CityTwin.Contracts.Districts;

/// <summary>
/// A district's aggregate: its assets' summaries, counts by type and status, power draw and congestion. Fed by the
/// district's <c>changes</c> stream. Keyed by district id.
/// </summary>
[Alias("IDistrictGrain")]
public interface IDistrictGrain : IGrainWithStringKey
{
    /// <summary>The district's aggregates and one page of its assets ordered by id, after <paramref name="cursor"/>.</summary>
    [Alias("Get")]
    Task<DistrictView> GetAsync(string? cursor, int limit);

    /// <summary>
    /// Up to a page of the district's assets matching <paramref name="query"/>, after its cursor, from the district's
    /// read model. Interleaves: it reads the index in one turn, so a query never waits behind a burst of changes.
    /// </summary>
    [Alias("Query"), Orleans.Concurrency.AlwaysInterleave]
    Task<CityTwin.Domain.Queries.PartitionPage> QueryAsync(CityTwin.Domain.Queries.AssetQuery query);

    /// <summary>The sequence of the last change of this asset the district applied (0: none), so an asset that activates knows whether to announce itself.</summary>
    [Alias("SequenceOf"), Orleans.Concurrency.ReadOnly]
    Task<long> SequenceOfAsync(string assetId);

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
