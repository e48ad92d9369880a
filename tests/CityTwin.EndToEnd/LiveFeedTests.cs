using Microsoft.Extensions.Time.Testing;
using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Api.Feed;
using CityTwin.Contracts.Events;
using CityTwin.Contracts.Feed;
using CityTwin.Domain.Geo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CityTwin.EndToEnd;

/// <summary>The API's fan-out on its own (no silo, no HTTP): ordering, gaps and slow subscribers, deterministically.</summary>
public sealed class LiveFeedTests : IDisposable
{
    private static readonly TimeSpan ReorderWindow = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _time = new(); // the reorder window passes when the test says so, not when a loaded CI gets to it
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly LiveFeed _feed;
    private readonly Guid _epoch = Guid.NewGuid();
    private long _sequence;

    public LiveFeedTests()
    {
        var options = Options.Create(new FeedOptions { SubscriberBuffer = 4, History = 100, ReorderWindow = ReorderWindow });
        _feed = new LiveFeed(null!, options, new FeedMetrics(_services.GetRequiredService<IMeterFactory>()), _time, NullLogger<LiveFeed>.Instance);
    }

    public void Dispose()
    {
        _feed.Dispose();
        _services.Dispose();
    }

    private static FeedBatch Batch(Guid epoch, long sequence, params string[] assets) =>
        new("d1", epoch, sequence, [.. assets.Select(a => new FeedEvent(
            new AssetChange(new AssetSummary(a, AssetType.Pole, AssetStatus.Operational, new GeoPoint(4.35, 50.85)), sequence, false, 0, 0, [], null, DateTimeOffset.UtcNow, null, [1, 50, 45, 0, 0, 1, 1]), null))]);

    private FeedBatch Next(params string[] assets) => Batch(_epoch, ++_sequence, assets);

    private static (string Event, JsonNode Data) Read(FeedItem item)
    {
        var lines = Encoding.UTF8.GetString(item.Frame).Split('\n');
        return (lines.Single(l => l.StartsWith("event: "))[7..], JsonNode.Parse(lines.Single(l => l.StartsWith("data: "))[6..])!);
    }

    private static List<(string Event, JsonNode Data)> Drain(FeedSubscriber subscriber)
    {
        var items = new List<(string, JsonNode)>();
        while (subscriber.Reader.TryRead(out var item)) items.Add(Read(item));
        return items;
    }

    [Fact]
    public async Task Batches_that_overtake_each_other_are_put_back_in_order_without_a_gap()
    {
        using var subscription = _feed.Subscribe(FeedFilter.All, null)!;
        var (first, second, third) = (Next("pole-1"), Next("pole-2"), Next("pole-3"));
        await _feed.OnFeedAsync(first);
        await _feed.OnFeedAsync(third);
        await _feed.OnFeedAsync(second);
        await _feed.OnFeedAsync(second); // and a duplicate
        _time.Advance(ReorderWindow * 3);

        var events = Drain(subscription.Subscriber);
        Assert.Equal(["pole-1", "pole-2", "pole-3"], events.Select(e => (string)e.Data["asset"]!));
        Assert.All(events, e => Assert.Equal("change", e.Event));
    }

    [Fact]
    public async Task A_batch_that_never_comes_is_reported_as_a_gap_of_its_district_and_so_is_a_restarted_feed_grain()
    {
        using var subscription = _feed.Subscribe(FeedFilter.All, null)!;
        await _feed.OnFeedAsync(Next("pole-1"));
        _sequence++; // lost on the way
        await _feed.OnFeedAsync(Next("pole-3"));
        Assert.Single(Drain(subscription.Subscriber)); // pole-3 waits for the missing batch a moment
        _time.Advance(ReorderWindow * 4);
        var events = Drain(subscription.Subscriber);
        Assert.Equal(("gap", "district-missed", "d1"), (events[0].Event, (string?)events[0].Data["reason"], (string?)events[0].Data["district"]));
        Assert.Equal("pole-3", (string?)events[1].Data["asset"]);

        await _feed.OnFeedAsync(Batch(Guid.NewGuid(), 1, "pole-4")); // a new activation of the district's feed grain
        events = Drain(subscription.Subscriber);
        Assert.Equal(("gap", "district-restarted"), (events[0].Event, (string?)events[0].Data["reason"]));
        Assert.Equal("pole-4", (string?)events[1].Data["asset"]);
    }

    [Fact]
    public async Task A_subscriber_that_falls_behind_loses_its_queue_to_one_gap_notice_and_can_fetch_it_again_from_the_history()
    {
        using var slow = _feed.Subscribe(FeedFilter.All, null)!;
        using var quick = _feed.Subscribe(FeedFilter.All, null)!;
        var quickHeard = new List<string>();
        for (var i = 1; i <= 10; i++)
        {
            await _feed.OnFeedAsync(Next($"pole-{i}"));
            quickHeard.AddRange(Drain(quick.Subscriber).Select(e => (string)e.Data["asset"]!));
        }
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"pole-{i}"), quickHeard); // the other subscriber lost nothing

        // Capacity 4: 1–4 queued, 5 overflowed (1–4 dropped), 8 overflowed again (the notice, 5, 6, 7 dropped).
        var events = Drain(slow.Subscriber);
        Assert.Equal(["gap", "change", "change", "change"], events.Select(e => e.Event));
        var gap = events[0].Data;
        Assert.Equal(("overflow", 7L), ((string?)gap["reason"], (long)gap["missed"]!));
        Assert.Equal(["pole-8", "pole-9", "pole-10"], events.Skip(1).Select(e => (string)e.Data["asset"]!));

        using var refill = _feed.Subscribe(FeedFilter.All, (string)gap["resumeAfter"]!)!;
        Assert.Null(refill.StartGap);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"pole-{i}"), refill.Replay.Select(i => (string)Read(i).Data["asset"]!));
        Assert.Equal(((string)gap["id"]!), $"{_feed.Epoch}-7"); // the notice stands for the events up to 7: EventSource resumes after them
    }

    [Fact]
    public void An_id_older_than_the_history_starts_with_a_gap()
    {
        for (var i = 1; i <= 150; i++) _ = _feed.OnFeedAsync(Next($"pole-{i}"));
        using var old = _feed.Subscribe(FeedFilter.All, $"{_feed.Epoch}-10")!;
        Assert.Empty(old.Replay);
        Assert.Equal("expired-last-event-id", (string?)JsonNode.Parse(Encoding.UTF8.GetString(old.StartGap!).Split('\n').Single(l => l.StartsWith("data: "))[6..])!["reason"]);
        using var recent = _feed.Subscribe(FeedFilter.All, $"{_feed.Epoch}-60")!;
        Assert.Null(recent.StartGap);
        Assert.Equal(90, recent.Replay.Count);
    }
}
