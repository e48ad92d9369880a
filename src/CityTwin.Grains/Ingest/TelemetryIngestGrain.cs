using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Ingest;
using CityTwin.Domain.Ingest;
using Orleans.Concurrency;

namespace CityTwin.Grains.Ingest;

/// <summary>
/// Fans a chunk of readings out to their asset grains from inside the cluster (like the import). A stateless
/// worker, so every silo runs its own and the API's chunks spread over the cluster; reentrant (it holds no state), so
/// a chunk waiting on its assets does not hold up the next — a stateless worker alone runs one chunk per core.
/// </summary>
[StatelessWorker, Reentrant]
public sealed partial class TelemetryIngestGrain(ILogger<TelemetryIngestGrain> logger) : Grain, ITelemetryIngestGrain
{
    public async Task<TelemetryResult?[]> ApplyAsync(TelemetryReading[] readings)
    {
        var results = new TelemetryResult?[readings.Length];
        var byAsset = ReadingGroups.Of(readings);
        var work = new Task[byAsset.Count];
        var n = 0;
        foreach (var (assetId, positions) in byAsset) work[n++] = ApplyInOrderAsync(assetId, positions, readings, results);
        await Task.WhenAll(work);
        return results;
    }

    /// <summary>One asset's readings, oldest first, each after the previous one is applied: a late reading stays stale.</summary>
    private async Task ApplyInOrderAsync(string assetId, int[] positions, TelemetryReading[] readings, TelemetryResult?[] results)
    {
        var asset = GrainFactory.GetGrain<IAssetGrain>(assetId);
        try
        {
            foreach (var i in positions)
            {
                var result = await asset.ApplyTelemetryAsync(readings[i].Telemetry);
                results[i] = result;
                if (result.Outcome == TelemetryOutcome.NotFound)
                {
                    foreach (var j in positions) results[j] = result; // one answer for all: the asset does not exist
                    return;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnreachable(assetId, e.Message); // the results stay null: reported to the sender as unavailable
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readings for {AssetId} could not be applied: {Reason}")]
    private partial void LogUnreachable(string assetId, string reason);
}
