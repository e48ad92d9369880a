using CityTwin.Contracts.Assets;
using CityTwin.Domain.Ingest;

namespace CityTwin.Contracts.Ingest;

/// <summary>
/// Applies a chunk of readings from inside the cluster: one message from the API instead of one per reading, and
/// the asset calls are silo-local where the asset lives on that silo. Every reading of an asset that the caller
/// sends must be in the same chunk, so the chunk can order them.
/// </summary>
[Alias("ITelemetryIngestGrain")]
public interface ITelemetryIngestGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// One result per reading, in the chunk's positions; null where the asset could not be reached (the caller
    /// reports it as unavailable, to be sent again). Readings of one asset are applied in timestamp order, one
    /// after the other; different assets at once.
    /// </summary>
    [Alias("Apply")]
    Task<TelemetryResult?[]> ApplyAsync(TelemetryReading[] readings);
}
