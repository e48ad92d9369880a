using System.Runtime.InteropServices;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Events;
using CityTwin.Domain.Geo;

namespace CityTwin.Contracts.Feed;

/// <summary>
/// How a <see cref="FeedBatch"/> crosses the wire (a silo's feed grain to every API process): its asset changes in
/// columns — the ids in one string, the fixed fields in one block of rows, the attributes in another — instead of a few
/// objects a change, each of which the serializer looks up in its reference table (a linear scan of up to 64 entries,
/// then a dictionary grown per message: measured, 5 % of a silo's allocations under ingest and as much of its CPU).
/// Only what the feed shows of a change travels: <see cref="AssetChange.Asset"/>, its alarm conditions (alarms are
/// events of their own), its barrier and when its cascade began stay behind. Alarm events go as they are, with their
/// positions among the batch's events. Rows are little-endian, as on every platform the twin runs on.
/// </summary>
[GenerateSerializer, Alias("FeedBatchWire")]
public struct FeedBatchWire
{
    [Id(0)] public string District;
    [Id(1)] public Guid Epoch;
    [Id(2)] public long Sequence;
    /// <summary>The changes' asset ids in order, each ended by a line feed (an id never holds one).</summary>
    [Id(3)] public string Ids;
    /// <summary>One <see cref="Row"/> a change.</summary>
    [Id(4)] public byte[] Rows;
    /// <summary>The changes' attribute values, one after another (<see cref="Row.AttributeCount"/> each).</summary>
    [Id(5)] public byte[] Attributes;
    /// <summary>Where each of <see cref="Alarms"/> goes among the batch's events.</summary>
    [Id(6)] public int[] AlarmPositions;
    [Id(7)] public AlarmChange[] Alarms;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    internal struct Row
    {
        public double Lon, Lat, PowerDrawW, DegreeOfSaturation;
        public long Sequence, SentAtTicks;
        public int AttributeCount; // -1: none
        public byte Type, Status, Left;
    }
}

[RegisterConverter]
public sealed class FeedBatchWireConverter : IConverter<FeedBatch, FeedBatchWire>
{
    private static readonly int RowSize = Marshal.SizeOf<FeedBatchWire.Row>();

    public FeedBatchWire ConvertToSurrogate(in FeedBatch value)
    {
        var events = value.Events;
        var (changes, attributes, idChars) = (0, 0, 0);
        foreach (var e in events)
            if (e.Change is { } c)
            {
                changes++;
                attributes += c.Attributes?.Length ?? 0;
                idChars += c.Summary.Id.Length + 1;
            }
        var ids = string.Create(idChars, events, static (chars, events) =>
        {
            foreach (var e in events)
                if (e.Change is { } c)
                {
                    c.Summary.Id.CopyTo(chars);
                    chars[c.Summary.Id.Length] = '\n';
                    chars = chars[(c.Summary.Id.Length + 1)..];
                }
        });
        var rows = new byte[changes * RowSize];
        var attributeBytes = new byte[attributes * sizeof(double)];
        var values = MemoryMarshal.Cast<byte, double>(attributeBytes.AsSpan());
        var alarms = events.Length - changes;
        var (alarmPositions, alarmChanges) = (alarms == 0 ? [] : new int[alarms], alarms == 0 ? [] : new AlarmChange[alarms]);
        var (row, next, alarm) = (0, 0, 0);
        for (var i = 0; i < events.Length; i++)
        {
            if (events[i].Change is not { } change)
            {
                alarmPositions[alarm] = i;
                alarmChanges[alarm++] = events[i].Alarm!;
                continue;
            }
            var s = change.Summary;
            MemoryMarshal.Write(rows.AsSpan(row++ * RowSize), new FeedBatchWire.Row
            {
                Lon = s.Location.Lon, Lat = s.Location.Lat, PowerDrawW = change.PowerDrawW, DegreeOfSaturation = change.DegreeOfSaturation,
                Sequence = change.Sequence, SentAtTicks = change.SentAt.UtcTicks,
                AttributeCount = change.Attributes?.Length ?? -1,
                Type = (byte)s.Type, Status = (byte)s.Status, Left = change.Left ? (byte)1 : (byte)0,
            });
            if (change.Attributes is { } a)
            {
                a.CopyTo(values[next..]);
                next += a.Length;
            }
        }
        return new FeedBatchWire
        {
            District = value.District, Epoch = value.Epoch, Sequence = value.Sequence, Ids = ids, Rows = rows,
            Attributes = attributeBytes, AlarmPositions = alarmPositions, Alarms = alarmChanges,
        };
    }

    public FeedBatch ConvertFromSurrogate(in FeedBatchWire wire)
    {
        var changes = wire.Rows.Length / RowSize;
        var events = new FeedEvent[changes + wire.Alarms.Length];
        for (var k = 0; k < wire.Alarms.Length; k++) events[wire.AlarmPositions[k]] = new FeedEvent(null, wire.Alarms[k]);
        var values = MemoryMarshal.Cast<byte, double>(wire.Attributes.AsSpan());
        var ids = wire.Ids.AsSpan();
        var (row, next, i) = (0, 0, 0);
        for (; row < changes; row++, i++)
        {
            while (events[i] is not null) i++; // an alarm's place
            var end = ids.IndexOf('\n');
            var id = ids[..end].ToString();
            ids = ids[(end + 1)..];
            var r = MemoryMarshal.Read<FeedBatchWire.Row>(wire.Rows.AsSpan(row * RowSize));
            double[]? attributes = null;
            if (r.AttributeCount >= 0)
            {
                attributes = values.Slice(next, r.AttributeCount).ToArray();
                next += r.AttributeCount;
            }
            var summary = new AssetSummary(id, (AssetType)r.Type, (AssetStatus)r.Status, new GeoPoint(r.Lon, r.Lat));
            events[i] = new FeedEvent(new AssetChange(summary, r.Sequence, r.Left != 0, r.PowerDrawW, r.DegreeOfSaturation, [], null,
                new DateTimeOffset(r.SentAtTicks, TimeSpan.Zero), Attributes: attributes), null);
        }
        return new FeedBatch(wire.District, wire.Epoch, wire.Sequence, events);
    }
}
