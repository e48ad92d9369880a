using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Import;
using Orleans.Concurrency;

namespace CityTwin.Grains.Import;

/// <summary>
/// Fans a validated batch out to the asset grains from inside the cluster. A stateless worker, so every silo
/// runs its own and the caller's batches spread over the cluster.
/// </summary>
[StatelessWorker]
public sealed class ImportGrain : Grain, IImportGrain
{
    public async Task<ImportCounts> ApplyAsync(Asset[] batch)
    {
        var results = await Task.WhenAll(batch.Select(a => GrainFactory.GetGrain<IAssetGrain>(a.Id).UpsertAsync(a)));
        var invalid = results.FirstOrDefault(r => r.Outcome == UpsertOutcome.Invalid);
        if (invalid is not null)
            throw new ArgumentException($"Batch held an invalid asset (callers validate first): {string.Join("; ", invalid.Errors.Select(e => $"{e.Field} {e.Message}"))}");
        return new ImportCounts(
            results.Count(r => r.Outcome == UpsertOutcome.Created),
            results.Count(r => r.Outcome == UpsertOutcome.Updated),
            results.Count(r => r.Outcome == UpsertOutcome.Unchanged));
    }
}
