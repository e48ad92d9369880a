namespace CityTwin.Contracts.Import;

/// <summary>Applies a validated batch of assets from inside the cluster, so each upsert is a local call.</summary>
[Alias("IImportGrain")]
public interface IImportGrain : IGrainWithIntegerKey
{
    [Alias("Apply")]
    Task<ImportCounts> ApplyAsync(Asset[] batch);
}
