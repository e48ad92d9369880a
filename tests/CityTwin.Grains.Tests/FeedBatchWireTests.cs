using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Events;
using CityTwin.Contracts.Feed;
using CityTwin.Domain.Alarms;
using CityTwin.Domain.Geo;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CityTwin.Grains.Tests;

/// <summary>A feed batch crosses the wire in columns (<see cref="FeedBatchWire"/>): what the feed shows of every event arrives as it was sent, in order.</summary>
public sealed class FeedBatchWireTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(FeedBatch).Assembly).AddAssembly(typeof(Asset).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    private static readonly DateTimeOffset At = new(2026, 12, 2, 18, 30, 0, TimeSpan.Zero);

    private static AssetChange Change(string id, AssetType type, AssetStatus status, double[]? attributes, bool left = false, long sequence = 7) =>
        new(new AssetSummary(id, type, status, new GeoPoint(4.351, 50.847)), sequence, left, 61.5, 0.83, [], null, At.AddTicks(sequence), Attributes: attributes);

    private static AlarmChange Alarm(string id) => new(new Alarm { Id = id, District = "d07", AssetId = "cam-1", AssetType = AssetType.Camera, Kind = AlarmKind.FeedLost, Severity = AlarmSeverity.Major, Cause = ["feedLost", "leo-d07-1"], RaisedAt = At },
        AlarmChangeKind.Raised, At, [0, 1, 0, 0]);

    [Fact]
    public void Changes_and_alarms_arrive_as_sent_and_in_order()
    {
        FeedEvent[] events =
        [
            new(null, Alarm("alarm-1")),
            new(Change("pole-d07-00001", AssetType.Pole, AssetStatus.Operational, [1, 40, 36.2, 1_234.5, 0.4, 0, 0, 1]), null),
            new(Change("cam-d07-00002", AssetType.Camera, AssetStatus.Offline, [0, 0, 12, 3, 0.91], sequence: 639_000_000_000_000_001), null),
            new(null, Alarm("alarm-2")),
            new(Change("int-d07-003", AssetType.Intersection, AssetStatus.Degraded, null, left: true), null),
            new(Change("leo-d07-1", AssetType.Link, AssetStatus.Faulted, []), null),
        ];
        var sent = new FeedBatch("d07", Guid.NewGuid(), 42, events);

        var received = Serializer.Deserialize<FeedBatch>(Serializer.SerializeToArray(sent))!;

        Assert.Equal((sent.District, sent.Epoch, sent.Sequence), (received.District, received.Epoch, received.Sequence));
        Assert.Equal(events.Length, received.Events.Length);
        for (var i = 0; i < events.Length; i++)
        {
            if (events[i].Alarm is { } alarm)
            {
                Assert.Null(received.Events[i].Change);
                Assert.Equal(alarm.Alarm.Id, received.Events[i].Alarm!.Alarm.Id);
                Assert.Equal(alarm.Alarm.Cause, received.Events[i].Alarm!.Alarm.Cause);
                continue;
            }
            var (s, r) = (events[i].Change!, received.Events[i].Change!);
            Assert.Null(received.Events[i].Alarm);
            Assert.Equal(s.Summary, r.Summary);
            Assert.Equal((s.Sequence, s.Left, s.PowerDrawW, s.DegreeOfSaturation, s.SentAt), (r.Sequence, r.Left, r.PowerDrawW, r.DegreeOfSaturation, r.SentAt));
            Assert.Equal(s.Attributes, r.Attributes);
        }
    }

    [Fact]
    public void An_empty_batch_and_one_of_alarms_only_cross_too()
    {
        var empty = Serializer.Deserialize<FeedBatch>(Serializer.SerializeToArray(new FeedBatch("d01", Guid.Empty, 1, [])))!;
        Assert.Empty(empty.Events);
        var alarms = Serializer.Deserialize<FeedBatch>(Serializer.SerializeToArray(new FeedBatch("d01", Guid.Empty, 2, [new(null, Alarm("a")), new(null, Alarm("b"))])))!;
        Assert.Equal(["a", "b"], alarms.Events.Select(e => e.Alarm!.Alarm.Id));
    }
}
