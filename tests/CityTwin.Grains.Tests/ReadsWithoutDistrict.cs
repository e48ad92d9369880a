using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CityTwin.Grains.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Tests;

/// <summary>
/// Counts one silo's <c>citytwin.asset.reads.without_district</c> by reason while alive (other test clusters in the
/// process have meters of the same name: only this silo's meter factory's are counted).
/// </summary>
internal sealed class ReadsWithoutDistrict : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public ReadsWithoutDistrict(IServiceProvider silo)
    {
        var meters = silo.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TwinMetrics.MeterName && instrument.Name == "citytwin.asset.reads.without_district" && ReferenceEquals(instrument.Meter.Scope, meters))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "reason") _counts.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
        });
        _listener.Start();
    }

    public long Slow => _counts.GetValueOrDefault("slow");
    public long Silent => _counts.GetValueOrDefault("silent");

    public void Dispose() => _listener.Dispose();
}
