namespace CityTwin.Contracts.Import;

/// <summary>Applies an already validated city to the twin: batches go to import workers on the silos, a few at a time.</summary>
public static class CityImporter
{
    public const int BatchSize = 500;

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
        return total;
    }
}
