using CityTwin.Contracts.Events;
using CityTwin.Contracts.Hosting;
using Orleans.Concurrency;

namespace CityTwin.Contracts.Power;

/// <summary>
/// A district's power network: the district supply and its feeders, and which assets hang on which feeder.
/// Keyed by district id. Outages and restorations are written before they are acknowledged, then reach every
/// affected asset.
/// </summary>
[Alias("IPowerGrain")]
public interface IPowerGrain : IGrainWithStringKey
{
    /// <summary>Cuts or restores the whole district (<paramref name="feederId"/> null) or one feeder; null if the district has no such feeder.</summary>
    [Alias("Set")]
    Task<PowerView?> SetAsync(string? feederId, bool on);

    [Alias("Get"), AnyGateway]
    Task<PowerView> GetAsync();

    /// <summary>An asset announces its feeder (idempotent) and learns whether it has power. Interleaves with an outage's fan-out.</summary>
    [Alias("Register"), AlwaysInterleave]
    Task<PowerSignal> RegisterAsync(string assetId, string? feederId);

    [Alias("Unregister")]
    Task UnregisterAsync(string assetId, string? feederId);
}
