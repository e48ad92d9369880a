namespace CityTwin.Contracts.Assets;

/// <summary>One street asset (pole, camera, intersection or LEO link), keyed by its asset id.</summary>
[Alias("IAssetGrain")]
public interface IAssetGrain : IGrainWithStringKey
{
    /// <summary>The asset's live state, or null if no asset has this id.</summary>
    [Alias("Get")]
    Task<Asset?> GetAsync();

    /// <summary>The asset's type, or null if no asset has this id (cheap: used to check references).</summary>
    [Alias("GetType")]
    Task<AssetType?> GetTypeAsync();

    /// <summary>Registers or reconfigures the asset; written to storage before it returns. Identical content changes nothing.</summary>
    [Alias("Upsert")]
    Task<UpsertResult> UpsertAsync(Asset asset);

    /// <summary>Folds a device reading into the live state; persisted within the write-behind window.</summary>
    [Alias("ApplyTelemetry")]
    Task<TelemetryResult> ApplyTelemetryAsync(Telemetry reading);

    /// <summary>Sets the operational status; written to storage before it returns. Null if no asset has this id.</summary>
    [Alias("SetStatus")]
    Task<Asset?> SetStatusAsync(AssetStatus status);
}
