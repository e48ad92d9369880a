namespace CityTwin.Grains;

/// <summary>Tuning of the live grains, bound from the "Twin" configuration section.</summary>
public sealed class TwinOptions
{
    public const string Section = "Twin";

    /// <summary>
    /// The service key of the twin's own clock. Orleans runs its timers on the unkeyed TimeProvider, so tests
    /// that fake the twin's clock register a fake under this key and leave Orleans' clock alone.
    /// </summary>
    public const string ClockKey = "twin";

    /// <summary>
    /// Telemetry is coalesced in memory and written behind within this window, by the silo's <c>AssetStore</c> in
    /// batches (configuration and status changes are always written before they are acknowledged). A crash loses at
    /// most this much telemetry, plus the time the window's batches take to write. Zero: written with the next batch.
    /// </summary>
    public TimeSpan TelemetryWriteBehind { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most asset states one storage write carries (one transaction on SQLite, one statement on PostgreSQL).
    /// Larger batches cost less per asset; a write-through waits at most one batch of written-behind states.
    /// </summary>
    public int AssetWriteBatchRows { get; set; } = 2_000;

    /// <summary>
    /// An asset that no call reached for this long is deactivated: its state is stored, the read model still answers
    /// queries about it, and the next call (a reading, a command, a cascade, a GET) activates it from storage. Orleans'
    /// own default (2 h). Measured at a million assets with 90 s: the silo's working set did not shrink (Server GC
    /// keeps what it freed) and a GET of an idle asset waits for its activation (p50 19 ms at 5,000 GETs/s), so a short
    /// idle time is for deployments that would rather trade that for fewer activations.
    /// </summary>
    public TimeSpan AssetIdleDeactivation { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Districts persist their membership summary behind within this window; assets are the truth.</summary>
    public TimeSpan DistrictWriteBehind { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often at most a district tells the city its counts, KPIs and bounds: how stale <c>/api/stats</c> may be.</summary>
    public TimeSpan DistrictReportInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Changes caused by telemetry reach their district (and so the read model and the live feed) as one message per
    /// district within this window, the newest change of each asset only. Cascades and status changes never wait.
    /// </summary>
    public TimeSpan ChangeCoalescing { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How often a district sends its cameras' new vehicle counts to the intersection grains they watch (one call per
    /// intersection, the newest count of each camera), for the grains' stored state and for intersections of other
    /// districts. The district's own copy of an intersection (what queries, the feed and the grain's answers show) takes
    /// each count at once.
    /// </summary>
    public TimeSpan CameraCountInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an asset keeps its state changes in its persisted log (and at most <see cref="HistoryMaxChanges"/> of them).</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(30);

    public int HistoryMaxChanges { get; set; } = 50;

    /// <summary>Readings kept in memory for an asset's history, per asset of a district (not persisted; 0 keeps none).</summary>
    public int TelemetryHistory { get; set; } = 8;

    /// <summary>
    /// How long an asset's read waits for its district's newest readings. A district whose silo has just died keeps
    /// the read waiting until the cluster declares the silo dead (Orleans retries the call until then: 0.3–1.5 s
    /// measured); past this wait the asset answers with the readings it last took in, which its <c>telemetryAt</c>
    /// dates (readings that change its behaviour — a fault, a lamp out — reach the asset itself, not only its district).
    /// </summary>
    public TimeSpan DistrictReadWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>What is wrong with these options, or null.</summary>
    internal string? Check()
    {
        if (AssetIdleDeactivation < TimeSpan.FromSeconds(1)) return "Twin:AssetIdleDeactivation must be at least 1 s";
        if (AssetWriteBatchRows < 1) return "Twin:AssetWriteBatchRows must be at least 1";
        if (TelemetryWriteBehind < TimeSpan.Zero || DistrictWriteBehind < TimeSpan.Zero) return "Twin:TelemetryWriteBehind and DistrictWriteBehind must not be negative";
        if (DistrictReportInterval <= TimeSpan.Zero || ChangeCoalescing <= TimeSpan.Zero || CameraCountInterval <= TimeSpan.Zero || HistoryRetention <= TimeSpan.Zero
            || DistrictReadWait <= TimeSpan.Zero)
            return "Twin:DistrictReportInterval, ChangeCoalescing, CameraCountInterval, HistoryRetention and DistrictReadWait must be positive";
        if (HistoryMaxChanges < 0 || TelemetryHistory < 0) return "Twin:HistoryMaxChanges and TelemetryHistory must not be negative";
        return null;
    }
}
