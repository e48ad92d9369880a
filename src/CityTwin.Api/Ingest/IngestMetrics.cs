using System.Diagnostics.Metrics;

namespace CityTwin.Api.Ingest;

/// <summary>
/// The API's ingest instruments, on the twin's meter (<c>CityTwin</c>). Labels are bounded: a source, an outcome,
/// never an asset id or a topic.
/// </summary>
public sealed class IngestMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _readings;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _reconnects;
    private int _connected;

    public IngestMetrics(IMeterFactory meters)
    {
        _meter = meters.Create("CityTwin");
        _readings = _meter.CreateCounter<long>("citytwin.ingest.readings", "{reading}", "Readings received by the ingest (HTTP batch, MQTT), by source and outcome");
        _messages = _meter.CreateCounter<long>("citytwin.mqtt.messages", "{message}", "MQTT messages handled by the bridge, by outcome");
        _reconnects = _meter.CreateCounter<long>("citytwin.mqtt.reconnects", "{connection}", "Connections the MQTT bridge made after losing the broker");
        _meter.CreateObservableGauge("citytwin.mqtt.connected", () => Volatile.Read(ref _connected), "1", "1 while the MQTT bridge is connected and subscribed");
    }

    public void Readings(string source, int applied, int stale, int rejected)
    {
        var from = new KeyValuePair<string, object?>("source", source);
        if (applied > 0) _readings.Add(applied, from, new("outcome", ReadingOutcome.Applied));
        if (stale > 0) _readings.Add(stale, from, new("outcome", ReadingOutcome.Stale));
        if (rejected > 0) _readings.Add(rejected, from, new("outcome", ReadingOutcome.Rejected));
    }

    public void Messages(string outcome, int count) => _messages.Add(count, new KeyValuePair<string, object?>("outcome", outcome));

    public void Reconnected() => _reconnects.Add(1);

    public void SetConnected(bool connected) => Volatile.Write(ref _connected, connected ? 1 : 0);

    public void Dispose() => _meter.Dispose();
}
