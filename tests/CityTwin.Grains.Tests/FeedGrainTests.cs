using System.Collections.Concurrent;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Feed;
using CityTwin.Contracts.Import;
using CityTwin.Domain.Alarms;
using CityTwin.Domain.Queries;

namespace CityTwin.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class FeedGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    /// <summary>What a subscriber (an API process) would hear.</summary>
    private sealed class Recorder : IFeedObserver
    {
        public ConcurrentQueue<FeedBatch> Batches { get; } = new();

        public IEnumerable<FeedEvent> Events => Batches.SelectMany(b => b.Events);

        public Task OnFeedAsync(FeedBatch batch)
        {
            Batches.Enqueue(batch);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task An_observer_hears_its_districts_changes_in_a_few_numbered_batches()
    {
        var district = TestAssets.NewId("d");
        var other = TestAssets.NewId("d");
        var recorder = new Recorder();
        var observer = fixture.Client.CreateObjectReference<IFeedObserver>(recorder);
        var start = await Grains.GetGrain<IFeedGrain>(district).SubscribeAsync(observer);
        Assert.Equal(0, start.Sequence);

        var poles = Enumerable.Range(0, 100).Select(_ => TestAssets.Pole(district: district)).ToArray();
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync([.. poles, TestAssets.Pole(district: other)]);
        await Grains.GetGrain<IDistrictGrain>(district).SettleAsync(TimeSpan.FromSeconds(10)); // sends its own marker down the stream too
        await Eventually.Until(() => Task.FromResult(recorder.Events.Count()), n => n >= poles.Length);

        var changes = recorder.Events.Select(e => e.Change).ToList();
        Assert.All(changes, c => Assert.NotNull(c));
        Assert.All(changes, c => Assert.Null(c!.Barrier)); // the district's internal marker is not news
        Assert.Equal(poles.Select(p => p.Id).Order(), changes.Select(c => c!.Summary.Id).Order()); // every pole once, nothing of the other district
        Assert.All(changes, c => Assert.Equal(AssetAttributes.Of(AssetType.Pole).Count, c!.Attributes!.Length));
        var batches = recorder.Batches.ToList();
        Assert.True(batches.Count < poles.Length / 4, $"{poles.Length} changes came in {batches.Count} batches");
        Assert.All(batches, b => Assert.Equal((district, start.Epoch), (b.District, b.Epoch)));
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), batches.Select(b => b.Sequence).Order());
    }

    [Fact]
    public async Task An_observer_hears_the_alarms_a_cascade_raises_and_the_changes_that_caused_them()
    {
        var city = await TestCity.CreateAsync(Grains);
        var recorder = new Recorder();
        var observer = fixture.Client.CreateObjectReference<IFeedObserver>(recorder);
        var feed = Grains.GetGrain<IFeedGrain>(city.District);
        var start = await feed.SubscribeAsync(observer);

        await Grains.GetGrain<IAssetGrain>(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        await Eventually.Until(() => Task.FromResult(recorder.Events.Count(e => e.Alarm?.Kind == AlarmChangeKind.Raised)), n => n >= 6);
        await Grains.GetGrain<IDistrictGrain>(city.District).SettleAsync(TimeSpan.FromSeconds(10));

        // Raised once each: link, 2 cameras, the intersection, 2 poles. A dependent that hears its causes one by one
        // may update its alarm's cause as the cascade arrives (a CI run saw one); it is not raised again.
        var alarms = recorder.Events.Where(e => e.Alarm?.Kind == AlarmChangeKind.Raised).Select(e => e.Alarm!).ToList();
        Assert.Equal(6, alarms.Count);
        Assert.Equal(6, alarms.Select(a => (a.Alarm.AssetId, a.Alarm.Kind)).Distinct().Count());
        Assert.All(alarms, a => Assert.Equal(city.District, a.Alarm.District));
        Assert.All(recorder.Events.Where(e => e.Alarm is not null), e => Assert.Contains(e.Alarm!.Kind, new[] { AlarmChangeKind.Raised, AlarmChangeKind.Updated }));
        Assert.Equal(AlarmSeverity.Critical, alarms.Single(a => a.Alarm.AssetId == city.Link.Id).Alarm.Severity);
        Assert.Equal(2, alarms.Count(a => a.Alarm.Kind == AlarmKind.FeedLost));
        var changes = recorder.Events.Where(e => e.Change is not null).Select(e => e.Change!).ToList();
        Assert.Contains(changes, c => c.Summary.Id == city.Link.Id && c.Summary.Status == AssetStatus.Offline);
        Assert.All(city.Cameras, cam => Assert.Contains(changes, c => c.Summary.Id == cam.Id && c.Summary.Status == AssetStatus.Offline));
        // Alarms a district raises together arrive together: fewer batches than alarms.
        Assert.True(recorder.Batches.Count(b => b.Events.Any(e => e.Alarm is not null)) < alarms.Count);
        // Numbered without holes (one-way messages may overtake each other on the way: the order is the subscriber's to restore).
        var sequences = recorder.Batches.Select(b => b.Sequence).Order().ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => start.Sequence + 1 + i), sequences);

        // Acknowledged: one more alarm event.
        var ack = await Grains.GetGrain<IAlarmGrain>(city.District).AcknowledgeAsync(alarms[0].Alarm.Id, "ops", null);
        Assert.NotNull(ack);
        var acknowledged = await Eventually.Until(() => Task.FromResult(recorder.Events.Where(e => e.Alarm?.Kind == AlarmChangeKind.Acknowledged).ToList()), l => l.Count == 1);
        Assert.Equal(alarms[0].Alarm.Id, Assert.Single(acknowledged).Alarm!.Alarm.Id);
    }

    [Fact]
    public async Task A_subscription_that_is_not_renewed_expires_and_a_renewed_one_does_not()
    {
        var district = TestAssets.NewId("d");
        var pole = TestAssets.Pole(district: district);
        await Grains.GetGrain<IAssetGrain>(pole.Id).UpsertAsync(pole);
        var feed = Grains.GetGrain<IFeedGrain>(district);
        var (renewing, lapsing) = (new Recorder(), new Recorder());
        var renewingRef = fixture.Client.CreateObjectReference<IFeedObserver>(renewing);
        var lapsingRef = fixture.Client.CreateObjectReference<IFeedObserver>(lapsing);
        await feed.SubscribeAsync(renewingRef);
        await feed.SubscribeAsync(lapsingRef);

        fixture.Clock.Advance(IFeedGrain.ObserverExpiry * 0.6);
        await feed.SubscribeAsync(renewingRef);
        fixture.Clock.Advance(IFeedGrain.ObserverExpiry * 0.6); // the lapsing one is now past its expiry, the renewed one is not

        await Grains.GetGrain<IAssetGrain>(pole.Id).SetStatusAsync(AssetStatus.Faulted);
        await Eventually.Until(() => Task.FromResult(renewing.Events.Count(e => e.Change?.Summary.Status == AssetStatus.Faulted)), n => n >= 1);
        await Grains.GetGrain<IDistrictGrain>(district).SettleAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(lapsing.Events, e => e.Change?.Summary.Status == AssetStatus.Faulted);

        // Back: it hears the next change, and the jump in the batch sequence tells it that it missed some.
        var position = await feed.SubscribeAsync(lapsingRef);
        await Grains.GetGrain<IAssetGrain>(pole.Id).SetStatusAsync(AssetStatus.Operational);
        var back = await Eventually.Until(() => Task.FromResult(lapsing.Batches.Where(b => b.Sequence > position.Sequence).ToList()), l => l.Count >= 1);
        Assert.Contains(back.SelectMany(b => b.Events), e => e.Change?.Summary.Status == AssetStatus.Operational);
        var lastHeard = lapsing.Batches.Where(b => b.Sequence <= position.Sequence).Select(b => b.Sequence).DefaultIfEmpty(0).Max();
        Assert.True(back[0].Sequence > lastHeard + 1, $"after {lastHeard} the lapsed observer got {back[0].Sequence}");

        await feed.UnsubscribeAsync(renewingRef);
        await Grains.GetGrain<IDistrictGrain>(district).SettleAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300); // alarm batches of the last change, if any, are in
        var heard = renewing.Batches.Count;
        await Grains.GetGrain<IAssetGrain>(pole.Id).SetStatusAsync(AssetStatus.Degraded);
        await Eventually.Until(() => Task.FromResult(lapsing.Events.Count(e => e.Change?.Summary.Status == AssetStatus.Degraded)), n => n >= 1);
        Assert.Equal(heard, renewing.Batches.Count);
    }
}
