using CityTwin.Contracts.Events;
using CityTwin.Contracts.Hosting;
using Orleans.Concurrency;

namespace CityTwin.Contracts.Backhaul;

/// <summary>
/// The assets that depend on one LEO link, keyed by the link's id. It hears the link's condition on the link's
/// stream and passes it on to every dependent.
/// </summary>
[Alias("IBackhaulGrain")]
public interface IBackhaulGrain : IGrainWithStringKey
{
    /// <summary>A dependent announces itself (idempotent) and learns the link's last signal, if any. Interleaves with a fan-out.</summary>
    [Alias("Register"), AlwaysInterleave]
    Task<LinkSignal?> RegisterAsync(string assetId, AssetType type);

    [Alias("Unregister")]
    Task UnregisterAsync(string assetId);

    /// <summary>One page of dependents ordered by id, after <paramref name="cursor"/>.</summary>
    [Alias("GetDependents"), AnyGateway]
    Task<DependentsPage> GetDependentsAsync(string? cursor, int limit);

    /// <summary>
    /// The link's reminder, a minute after its condition changed: the signal its stream carried dies with a silo before
    /// it is taken, so the link hands it over directly; one already heard changes nothing. Returns once it is fanned out.
    /// </summary>
    [Alias("CatchUp")]
    Task CatchUpAsync(LinkSignal signal);
}
