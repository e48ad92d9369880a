using CityTwin.Contracts.Districts;

namespace CityTwin.Contracts.Import;

/// <summary>
/// Applies an already validated city to the twin: batches go to import workers on the silos, a few at a time; then
/// waits (bounded) until the districts have applied every change, so what is read next includes the import.
/// </summary>
public static class CityImporter
{
    public const int BatchSize = 500;
    /// <summary>
    /// How long the import waits for the districts to apply its changes (read your writes) before answering anyway:
    /// well inside Orleans' 30 s response timeout — at 30 s the wait and the call timed out together, and an import
    /// that had been applied answered 503.
    /// </summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(20);

    public static async Task<ImportCounts> ApplyAsync(IGrainFactory grains, IReadOnlyList<Asset> assets, int parallelBatches = 8, CancellationToken cancellationToken = default)
    {
        var total = ImportCounts.None;
        var gate = new object();
        var batches = assets.Chunk(BatchSize);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelBatches, CancellationToken = cancellationToken }, async (batch, _) =>
        {
            var counts = await grains.GetGrain<IImportGrain>(0).ApplyAsync(batch);
            lock (gate) total = total.Add(counts);
        });
        var districts = assets.Select(a => a.District).Distinct().ToArray();
        await Task.WhenAll(districts.Select(d => grains.GetGrain<IDistrictGrain>(d).SettleAsync(SettleTimeout)));
        return total;
    }
}
