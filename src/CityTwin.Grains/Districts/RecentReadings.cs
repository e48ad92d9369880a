using CityTwin.Contracts.Assets;

namespace CityTwin.Grains.Districts;

/// <summary>
/// The district's last readings, for its assets' history: one ring of about <c>perAsset</c> readings per member,
/// not a queue per asset (a million of those is a million more objects). An asset that reports more often than the
/// others shows more of its own; one that reports rarely may show fewer than <c>perAsset</c>.
/// <para>
/// A reading is kept as values in the ring's arrays, not as the <see cref="Telemetry"/> object it arrived in: every
/// applied reading stays here for seconds, so each kept object outlived the young generation and was collected from
/// the old one — measured, keeping them cost a fifth of the silo's ingest throughput (190,230 readings/s with
/// <c>Twin:TelemetryHistory=0</c> against 148,240 with 8). Each value is a field's code and its number (booleans 0/1,
/// counts exact, a per-approach array one code per approach); a reading that does not fit the slot's
/// <see cref="Width"/> values, or names a satellite (a string), is kept as it came (links are few).
/// </para>
/// </summary>
internal sealed class RecentReadings(int perAsset)
{
    private const int Width = 12;
    private const long NoTimestamp = long.MinValue;

    private string[] _ids = [];
    private long[] _receivedAt = [], _timestamp = [];
    private short[] _offset = [];
    private byte[] _lengths = [], _codes = [];
    private double[] _values = [];
    private Telemetry?[] _spilled = [];
    private int _next, _count;

    /// <summary>Grows the ring with the district (never shrinks it): room for <c>perAsset</c> readings of each member.</summary>
    public void Fit(int members)
    {
        var capacity = perAsset * Math.Max(members, 64);
        if (capacity <= _ids.Length) return;
        var old = (_ids, _receivedAt, _timestamp, _offset, _lengths, _codes, _values, _spilled);
        (_ids, _receivedAt, _timestamp, _offset) = (new string[capacity], new long[capacity], new long[capacity], new short[capacity]);
        (_lengths, _codes, _values, _spilled) = (new byte[capacity], new byte[capacity * Width], new double[capacity * Width], new Telemetry?[capacity]);
        for (var k = 0; k < _count; k++) // oldest first
        {
            var at = (_next - _count + k + old._ids.Length) % old._ids.Length;
            (_ids[k], _receivedAt[k], _timestamp[k], _offset[k]) = (old._ids[at], old._receivedAt[at], old._timestamp[at], old._offset[at]);
            (_lengths[k], _spilled[k]) = (old._lengths[at], old._spilled[at]);
            Array.Copy(old._codes, at * Width, _codes, k * Width, Width);
            Array.Copy(old._values, at * Width, _values, k * Width, Width);
        }
        _next = _count % capacity;
    }

    /// <param name="id">The member's own id string (long-lived), not the reading's.</param>
    public void Add(string id, DateTimeOffset receivedAt, Telemetry reading)
    {
        if (_ids.Length == 0) return;
        var slot = _next;
        _ids[slot] = id;
        _receivedAt[slot] = receivedAt.UtcTicks;
        (_timestamp[slot], _offset[slot]) = reading.Timestamp is { } t ? (t.UtcTicks, (short)t.Offset.TotalMinutes) : (NoTimestamp, (short)0);
        _spilled[slot] = Encode(reading, _codes.AsSpan(slot * Width, Width), _values.AsSpan(slot * Width, Width), out var count) ? null : reading;
        _lengths[slot] = (byte)count;
        _next = (_next + 1) % _ids.Length;
        _count = Math.Min(_count + 1, _ids.Length);
    }

    /// <summary>The asset's readings still in the ring, newest first.</summary>
    public ReceivedReading[] Of(string id, int limit)
    {
        var found = new List<ReceivedReading>();
        for (var k = 1; k <= _count && found.Count < limit; k++)
        {
            var at = (_next - k + _ids.Length) % _ids.Length;
            if (_ids[at] != id) continue;
            var reading = _spilled[at] ?? Decode(at);
            found.Add(new ReceivedReading(new DateTimeOffset(_receivedAt[at], TimeSpan.Zero), reading));
        }
        return [.. found];
    }

    private Telemetry Decode(int slot)
    {
        var reading = new Telemetry
        {
            Timestamp = _timestamp[slot] == NoTimestamp ? null : new DateTimeOffset(_timestamp[slot], TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(_offset[slot])),
        };
        List<double>? queue = null, delay = null;
        for (var k = 0; k < _lengths[slot]; k++)
        {
            var (code, value) = (_codes[slot * Width + k], _values[slot * Width + k]);
            if (code == QueueCode) (queue ??= []).Add(value);
            else if (code == DelayCode) (delay ??= []).Add(value);
            else if (code == EmptyQueueCode) queue ??= [];
            else if (code == EmptyDelayCode) delay ??= [];
            else reading = Scalars[code].Set(reading, value);
        }
        return reading with { QueueLength = queue?.ToArray(), DelaySeconds = delay?.ToArray() };
    }

    /// <summary>False if the reading does not fit a slot (kept as it came).</summary>
    private static bool Encode(Telemetry t, Span<byte> codes, Span<double> values, out int count)
    {
        count = 0;
        if (t.SatelliteId is not null) return false;
        for (var code = 0; code < Scalars.Length; code++)
        {
            if (Scalars[code].Get(t) is not { } value) continue;
            if (count == Width) return false;
            (codes[count], values[count]) = ((byte)code, value);
            count++;
        }
        return Each(t.QueueLength, QueueCode, EmptyQueueCode, codes, values, ref count) && Each(t.DelaySeconds, DelayCode, EmptyDelayCode, codes, values, ref count);
    }

    private static bool Each(double[]? array, byte code, byte emptyCode, Span<byte> codes, Span<double> values, ref int count)
    {
        if (array is null) return true;
        if (array.Length == 0)
        {
            if (count == Width) return false;
            codes[count++] = emptyCode;
            return true;
        }
        if (count + array.Length > Width) return false;
        foreach (var value in array) (codes[count], values[count++]) = (code, value);
        return true;
    }

    private static readonly (Func<Telemetry, double?> Get, Func<Telemetry, double, Telemetry> Set)[] Scalars =
    [
        (t => Bit(t.LampOn), (t, v) => t with { LampOn = v != 0 }),
        (t => t.DimLevel, (t, v) => t with { DimLevel = v }),
        (t => t.PowerW, (t, v) => t with { PowerW = v }),
        (t => t.EnergyKWh, (t, v) => t with { EnergyKWh = v }),
        (t => t.IlluminanceLevel, (t, v) => t with { IlluminanceLevel = v }),
        (t => Bit(t.LampFault), (t, v) => t with { LampFault = v != 0 }),
        (t => Bit(t.DriverFault), (t, v) => t with { DriverFault = v != 0 }),
        (t => Bit(t.FeedOnline), (t, v) => t with { FeedOnline = v != 0 }),
        (t => t.FrameRate, (t, v) => t with { FrameRate = v }),
        (t => t.VehicleCount, (t, v) => t with { VehicleCount = (int)v }),
        (t => t.PedestrianCount, (t, v) => t with { PedestrianCount = (int)v }),
        (t => t.DetectionConfidence, (t, v) => t with { DetectionConfidence = v }),
        (t => t.FlowVehPerHour, (t, v) => t with { FlowVehPerHour = v }),
        (t => t.ElevationDeg, (t, v) => t with { ElevationDeg = v }),
        (t => t.SlantRangeKm, (t, v) => t with { SlantRangeKm = v }),
        (t => t.LatencyMs, (t, v) => t with { LatencyMs = v }),
        (t => t.ThroughputMbps, (t, v) => t with { ThroughputMbps = v }),
        (t => t.PacketLossPct, (t, v) => t with { PacketLossPct = v }),
        (t => t.RainFadeDb, (t, v) => t with { RainFadeDb = v }),
    ];

    private static readonly byte QueueCode = (byte)Scalars.Length, DelayCode = (byte)(Scalars.Length + 1);
    private static readonly byte EmptyQueueCode = (byte)(Scalars.Length + 2), EmptyDelayCode = (byte)(Scalars.Length + 3);

    private static double? Bit(bool? b) => b is { } v ? (v ? 1 : 0) : null;
}
