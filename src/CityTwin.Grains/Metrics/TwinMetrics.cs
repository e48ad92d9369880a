using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CityTwin.Grains.Metrics;

/// <summary>
/// The twin's own meter. Labels are bounded (type, status, severity, namespace, district — never an asset id).
/// Gauges are per silo: grains add what they hold on activation and take it back on deactivation, so the sum over
/// silos is the city.
/// </summary>
public sealed class TwinMetrics : IDisposable
{
    public const string MeterName = "CityTwin";

    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly int Statuses = Enum.GetValues<AssetStatus>().Length;

    private readonly Meter _meter;
    private readonly Counter<long> _readings;
    private readonly Counter<long> _readsWithoutDistrict;
    private readonly Counter<long> _delivered;
    private readonly Histogram<double> _cascadeLatency;
    private readonly Histogram<double> _deliveryLag;
    private readonly Counter<long> _assetRows;
    private readonly Counter<long> _assetWriteFailures;
    private readonly Histogram<double> _assetBatchDuration;
    private readonly long[] _assets = new long[Enum.GetValues<AssetType>().Length * Statuses];
    private readonly long[] _alarms = new long[Enum.GetValues<AlarmSeverity>().Length];
    private readonly ConcurrentDictionary<string, double> _offlineRatio = new();

    public TwinMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _readings = _meter.CreateCounter<long>("citytwin.telemetry.readings.applied", "{reading}", "Device readings folded into assets");
        _readsWithoutDistrict = _meter.CreateCounter<long>("citytwin.asset.reads.without_district", "{read}",
            "Asset reads answered with the readings the asset last took in, without its district's newest (reason: slow, silent)");
        _delivered = _meter.CreateCounter<long>("citytwin.stream.events.delivered", "{event}", "Stream events delivered to the twin's grains");
        _cascadeLatency = _meter.CreateHistogram("citytwin.cascade.latency", "s", "From a source's change (link, power) to its effect reaching a district aggregate",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _deliveryLag = _meter.CreateHistogram("citytwin.stream.delivery.lag", "s", "From publishing a stream event to its delivery",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _assetRows = _meter.CreateCounter<long>("citytwin.asset_store.rows.written", "{row}", "Asset states written by the silo's asset store (many a batch)");
        _assetWriteFailures = _meter.CreateCounter<long>("citytwin.asset_store.write.failures", "{batch}", "Asset state batches that storage refused");
        _assetBatchDuration = _meter.CreateHistogram("citytwin.asset_store.batch.duration", "s", "Time to write one batch of asset states",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _meter.CreateObservableGauge("citytwin.assets", ObserveAssets, "{asset}", "Assets by type and status held by this silo's districts");
        _meter.CreateObservableGauge("citytwin.alarms.active", ObserveAlarms, "{alarm}", "Active alarms by severity held by this silo");
        _meter.CreateObservableGauge("citytwin.district.offline.ratio", ObserveOffline, "1", "Share of a district's assets that are offline");
    }

    public void ReadingApplied(int count = 1) => _readings.Add(count);

    /// <summary>
    /// A read answered without its district's newest readings: <paramref name="silent"/>, the district was found silent
    /// lately (or this asset's own question to it is long out); otherwise it was slower than its answers usually are.
    /// </summary>
    public void ReadWithoutDistrict(bool silent) =>
        _readsWithoutDistrict.Add(1, new KeyValuePair<string, object?>("reason", silent ? "silent" : "slow"));

    public void AssetRowsWritten(int rows, TimeSpan took)
    {
        _assetRows.Add(rows);
        _assetBatchDuration.Record(took.TotalSeconds);
    }

    public void AssetWriteFailed() => _assetWriteFailures.Add(1);

    public void Delivered(string streamNamespace, TimeSpan lag)
    {
        var tag = new KeyValuePair<string, object?>("namespace", streamNamespace);
        _delivered.Add(1, tag);
        _deliveryLag.Record(Math.Max(0, lag.TotalSeconds), tag);
    }

    public void CascadeReached(TimeSpan latency) => _cascadeLatency.Record(Math.Max(0, latency.TotalSeconds));

    public void AddAssets(AssetType type, AssetStatus status, int delta) =>
        Interlocked.Add(ref _assets[(int)type * Statuses + (int)status], delta);

    public void AddAlarms(AlarmSeverity severity, int delta) => Interlocked.Add(ref _alarms[(int)severity], delta);

    public void SetOfflineRatio(string district, double? ratio)
    {
        if (ratio is { } r) _offlineRatio[district] = r;
        else _offlineRatio.TryRemove(district, out _);
    }

    private IEnumerable<Measurement<long>> ObserveAssets()
    {
        for (var i = 0; i < _assets.Length; i++)
        {
            var n = Volatile.Read(ref _assets[i]);
            if (n == 0) continue;
            yield return new(n,
                new("type", ((AssetType)(i / Statuses)).ToString().ToLowerInvariant()),
                new("status", ((AssetStatus)(i % Statuses)).ToString().ToLowerInvariant()));
        }
    }

    private IEnumerable<Measurement<long>> ObserveAlarms()
    {
        for (var i = 0; i < _alarms.Length; i++)
            yield return new(Volatile.Read(ref _alarms[i]), new KeyValuePair<string, object?>("severity", ((AlarmSeverity)i).ToString().ToLowerInvariant()));
    }

    private IEnumerable<Measurement<double>> ObserveOffline()
    {
        foreach (var (district, ratio) in _offlineRatio) yield return new(ratio, new KeyValuePair<string, object?>("district", district));
    }

    public void Dispose() => _meter.Dispose();
}
