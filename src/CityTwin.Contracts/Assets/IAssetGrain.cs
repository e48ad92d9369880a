using CityTwin.Contracts.Events;
using CityTwin.Contracts.Hosting;

namespace CityTwin.Contracts.Assets;

/// <summary>One street asset (pole, camera, intersection or LEO link), keyed by its asset id.</summary>
[Alias("IAssetGrain")]
public interface IAssetGrain : IGrainWithStringKey
{
    /// <summary>
    /// The asset's live state, or null if no asset has this id. Interleaves with the asset's other calls: while a
    /// command runs, the state it started from (a read does not wait for a command's storage or event queue).
    /// </summary>
    [Alias("Get"), AnyGateway, Orleans.Concurrency.AlwaysInterleave]
    Task<Asset?> GetAsync();

    /// <summary>
    /// <see cref="GetAsync"/> with the district's copy of the asset brought by the caller, who asked the district once
    /// for a page of its assets (<see cref="Districts.DistrictAssets.ReadAsync"/>) and so waited for it however long it
    /// took. A single read waits for the district only about as long as its answers usually take, then answers with the
    /// readings the asset last took in: right for one read in a failover, wrong for an export or a scenario's snapshot
    /// of thousands at once, whose questions make the district slow.
    /// </summary>
    [Alias("GetWith"), Orleans.Concurrency.AlwaysInterleave]
    Task<Asset?> GetWithAsync(Districts.LiveAsset live);

    /// <summary>The asset's state changes (persisted, within the retention) and last readings (in memory), newest first; null if no such asset.</summary>
    [Alias("GetHistory"), Orleans.Concurrency.ReadOnly, AnyGateway]
    Task<AssetHistory?> GetHistoryAsync(int limit);

    /// <summary>The asset's type, or null if no asset has this id (cheap: used to check references).</summary>
    [Alias("GetType")]
    Task<AssetType?> GetTypeAsync();

    /// <summary>The asset's type and district, or null if no asset has this id (cheap: the MQTT bridge checks topics with it).</summary>
    [Alias("GetPlace")]
    Task<AssetPlace?> GetPlaceAsync();

    /// <summary>Registers or reconfigures the asset; written to storage before it returns. Identical content changes nothing.</summary>
    [Alias("Upsert")]
    Task<UpsertResult> UpsertAsync(Asset asset);

    /// <summary>
    /// Folds a device reading into the live state; persisted within the write-behind window. Readings normally reach
    /// the asset through its district (<see cref="Districts.IDistrictGrain.ApplyTelemetryAsync"/>): this is the way
    /// for an asset the district does not hold yet.
    /// </summary>
    [Alias("ApplyTelemetry")]
    Task<TelemetryResult> ApplyTelemetryAsync(Telemetry reading);

    /// <summary>Its district applied readings that change the asset's behaviour: <paramref name="live"/> carries them.</summary>
    [Alias("OnTelemetry"), Orleans.Concurrency.OneWay]
    Task OnTelemetryAsync(Asset live);

    /// <summary>The newest counts of cameras watching this intersection (from their districts, many a call).</summary>
    [Alias("OnCameraCounts"), Orleans.Concurrency.OneWay]
    Task OnCameraCountsAsync(CameraCount[] counts);

    /// <summary>Sets the operator's status; written to storage before it returns. Null if no asset has this id.</summary>
    [Alias("SetStatus")]
    Task<Asset?> SetStatusAsync(AssetStatus status);

    /// <summary>Sets a LEO link's condition (and optionally its latency and loss); written before it returns, then cascades.</summary>
    [Alias("SetLinkCondition")]
    Task<UpsertResult> SetLinkConditionAsync(LinkCondition condition, double? latencyMs, double? packetLossPct);

    /// <summary>A link's condition as its last published signal said it; null for other assets.</summary>
    [Alias("GetLinkSignal")]
    Task<LinkSignal?> GetLinkSignalAsync();

    /// <summary>Reports or clears a signal controller fault of an intersection; written before it returns, then cascades.</summary>
    [Alias("SetControllerFault")]
    Task<UpsertResult> SetControllerFaultAsync(bool fault);

    /// <summary>
    /// Sets an intersection's configured fixed-time plan (also its fallback under adaptive control), only if its plan is
    /// still <paramref name="expected"/> (null: whatever it is) — else <see cref="UpsertOutcome.Conflict"/> and nothing
    /// written; validated, written before it returns.
    /// </summary>
    [Alias("SetSignalPlan")]
    Task<UpsertResult> SetSignalPlanAsync(SignalPlan plan, SignalPlan? expected);

    /// <summary>The asset's backhaul link changed condition.</summary>
    [Alias("OnBackhaul")]
    Task OnBackhaulAsync(LinkSignal signal);

    /// <summary>The asset's power supply changed.</summary>
    [Alias("OnPower")]
    Task OnPowerAsync(PowerSignal signal);

    /// <summary>A camera watching this intersection reports its feed and counts (from the intersection's detections stream).</summary>
    [Alias("OnCameraReport")]
    Task OnCameraReportAsync(CameraReport report);
}
