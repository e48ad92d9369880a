using System.Collections.Concurrent;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Domain.Ingest;
using CityTwin.Grains.Districts;
using CityTwin.Grains.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Tests;

/// <summary>
/// A silo dies while this one keeps its own assets: they must keep answering even when what they lean on — their
/// district, a stream's queue — lived on the dead silo. Calls to such a grain fail as Orleans fails them until the
/// cluster declares the silo dead (<see cref="SiloUnavailableException"/>); a filter on the silo makes them fail so on
/// cue, since an in-process silo's crash is noticed too soon to catch the window.
/// </summary>
public sealed class SiloLossTests(SiloLossTests.Fixture fixture) : IClassFixture<SiloLossTests.Fixture>
{
    public sealed class Fixture : ClusterFixture
    {
        /// <summary>Calls still to fail, per grain, and per method name (of any grain).</summary>
        public ConcurrentDictionary<GrainId, int> Grains { get; } = new();
        public ConcurrentDictionary<string, int> Methods { get; } = new();
        public int Failed;

        /// <summary>Grains whose calls hang until released (a silo dead but not declared so: Orleans retries the call).</summary>
        public ConcurrentDictionary<GrainId, TaskCompletionSource> Stalled { get; } = new();
        public int Waiting;

        protected override void Configure(ISiloBuilder silo) => silo.AddOutgoingGrainCallFilter(async context =>
        {
            if (Take(Grains, context.TargetId) || Take(Methods, context.MethodName))
            {
                Interlocked.Increment(ref Failed);
                throw new SiloUnavailableException($"the silo of {context.TargetId} is gone (test)");
            }
            if (Stalled.TryGetValue(context.TargetId, out var release))
            {
                Interlocked.Increment(ref Waiting);
                await release.Task;
            }
            await context.Invoke();
        });

        private static bool Take<TKey>(ConcurrentDictionary<TKey, int> left, TKey key) where TKey : notnull =>
            left.TryGetValue(key, out var n) && n > 0 && left.TryUpdate(key, n - 1, n);
    }

    private IGrainFactory Grains => fixture.Client;

    /// <summary>A pole of a district of its own, with one reading.</summary>
    private async Task<(Asset Pole, IAssetGrain Grain)> PoleReadingAsync(double dimLevel)
    {
        var pole = TestAssets.Pole(district: TestAssets.NewId("d"));
        var grain = Grains.GetGrain<IAssetGrain>(pole.Id);
        await grain.UpsertAsync(pole);
        await grain.ApplyTelemetryAsync(new Telemetry { Timestamp = fixture.Clock.GetUtcNow(), DimLevel = dimLevel });
        return (pole, grain);
    }

    [Fact]
    public async Task An_asset_whose_district_is_gone_with_its_silo_answers_with_the_readings_it_last_took_in()
    {
        var (pole, grain) = await PoleReadingAsync(dimLevel: 40);
        await grain.SetStatusAsync(AssetStatus.Maintenance); // a change for its history
        var before = (await grain.GetAsync())!;
        Assert.Equal(40, before.Pole!.DimLevel);

        fixture.Grains[Grains.GetGrain<IDistrictGrain>(pole.District).GetGrainId()] = int.MaxValue;
        try
        {
            var asset = (await grain.GetAsync())!;
            Assert.Equal((40.0, before.TelemetryAt, AssetStatus.Maintenance), (asset.Pole!.DimLevel, asset.TelemetryAt, asset.Status));
            var history = (await grain.GetHistoryAsync(10))!;
            Assert.Contains(history.Changes, c => c.Status == AssetStatus.Maintenance);
        }
        finally
        {
            fixture.Grains.Clear();
        }
    }

    /// <summary>Calls to the district hang, as calls to a grain of a silo dead but not yet declared so do, until disposed.</summary>
    private Stall StallDistrict(string district)
    {
        var release = new TaskCompletionSource();
        fixture.Stalled[Grains.GetGrain<IDistrictGrain>(district).GetGrainId()] = release;
        return new Stall(fixture, release);
    }

    private sealed class Stall(Fixture fixture, TaskCompletionSource release) : IDisposable
    {
        public void Dispose()
        {
            fixture.Stalled.Clear();
            release.TrySetResult();
        }
    }

    /// <summary>Until a stall holds more calls than <paramref name="before"/>; how many it holds then.</summary>
    private Task<int> HeldAfterAsync(int before) => Eventually.Until(() => Task.FromResult(fixture.Waiting), w => w > before, 10_000);

    [Fact]
    public async Task An_asset_waits_for_a_silent_district_no_longer_than_its_read_wait()
    {
        var (pole, grain) = await PoleReadingAsync(dimLevel: 55);
        await grain.GetAsync();

        using var stall = StallDistrict(pole.District);
        var held = fixture.Waiting;
        var read = grain.GetAsync();
        await HeldAfterAsync(held);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(99));
        await Task.Delay(200);
        Assert.False(read.IsCompleted); // still within the wait
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1)); // Twin:DistrictReadWait, 100 ms by default
        var asset = (await read.WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(55, asset.Pole!.DimLevel);
    }

    [Fact]
    public async Task A_read_waits_for_its_district_about_as_long_as_its_answers_take_and_finds_it_silent_only_after_the_whole_wait()
    {
        var (pole, grain) = await PoleReadingAsync(dimLevel: 70);
        var neighbour = TestAssets.Pole(district: pole.District);
        var neighbourGrain = Grains.GetGrain<IAssetGrain>(neighbour.Id);
        await neighbourGrain.UpsertAsync(neighbour);
        await neighbourGrain.GetAsync();
        // The district answers a window of reads at once (the test's clock stands still): a read's wait is the shortest.
        for (var i = 0; i < DistrictReachability.AnswerWindow; i++) await grain.GetAsync();
        var reachability = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<DistrictReachability>();
        Assert.Equal(DistrictReachability.MinReadWait, reachability.ReadWait(pole.District));
        using var without = new ReadsWithoutDistrict(fixture.Cluster.Silos[0].ServiceProvider);

        using var stall = StallDistrict(pole.District);
        var held = fixture.Waiting;
        var read = grain.GetAsync();
        held = await HeldAfterAsync(held);
        fixture.Clock.Advance(DistrictReachability.MinReadWait - TimeSpan.FromMilliseconds(1));
        await Task.Delay(200);
        Assert.False(read.IsCompleted);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(70, (await read.WaitAsync(TimeSpan.FromSeconds(10)))!.Pole!.DimLevel); // its last readings, not 100 ms later
        Assert.Equal((1, 0), (without.Slow, without.Silent)); // an SRE sees it: citytwin_asset_reads_without_district_total{reason="slow"}

        // One slow answer is not silence: another asset of the district still asks it, and waits as briefly.
        Assert.Equal(DistrictCall.Ask, reachability.Call(pole.District));
        var neighbours = neighbourGrain.GetAsync();
        await HeldAfterAsync(held);
        // The first question unanswered for the whole Twin:DistrictReadWait (100 ms): the district is silent, and reads skip it.
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(100) - DistrictReachability.MinReadWait);
        Assert.NotNull(await neighbours.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(DistrictCall.Skip, await Eventually.Until<DistrictCall>(() => Task.FromResult(reachability.Call(pole.District)), c => c == DistrictCall.Skip));
    }

    [Fact]
    public async Task A_read_that_stopped_waiting_for_its_district_takes_the_answer_in_when_it_comes()
    {
        var (pole, grain) = await PoleReadingAsync(dimLevel: 30);
        var district = Grains.GetGrain<IDistrictGrain>(pole.District);
        await Eventually.Until(() => district.LiveOfAsync(pole.Id), l => l.Asset is not null);
        // A newer reading the district applies without the grain (a dim level changes nothing the grain does).
        await district.ApplyTelemetryAsync([new TelemetryReading(pole.Id, new Telemetry { Timestamp = fixture.Clock.GetUtcNow().AddSeconds(1), DimLevel = 45 })]);

        var stall = StallDistrict(pole.District);
        try
        {
            var held = fixture.Waiting;
            var read = grain.GetAsync();
            await HeldAfterAsync(held);
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(100)); // the whole wait: the district is found silent
            Assert.Equal(30, (await read.WaitAsync(TimeSpan.FromSeconds(10)))!.Pole!.DimLevel);
        }
        finally
        {
            stall.Dispose(); // the district answers the question the read gave up on
        }

        // Reads skip the silent district (the clock stands still), yet answer with its late answer's reading.
        var asset = await Eventually.Until(() => grain.GetAsync(), a => a!.Pole!.DimLevel == 45);
        Assert.Equal(45, asset!.Pole!.DimLevel);
    }

    [Fact]
    public async Task A_copy_of_a_read_stuck_on_a_silent_district_answers_at_once_with_the_last_readings()
    {
        var (pole, grain) = await PoleReadingAsync(dimLevel: 65);
        await grain.GetAsync();

        using var stall = StallDistrict(pole.District);
        var held = fixture.Waiting;
        var first = grain.GetAsync();
        held = await HeldAfterAsync(held);
        // A read at the same moment asks too: the district may simply be answering.
        var concurrent = grain.GetAsync();
        held = await HeldAfterAsync(held);
        Assert.False(concurrent.IsCompleted);

        // The API copies a read unanswered for its hedge delay (GatewayLoss.MinHedgeAfter at least): the copy does not wait as well.
        fixture.Clock.Advance(CityTwin.Storage.GatewayLoss.MinHedgeAfter);
        var copy = (await grain.GetAsync().WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(65, copy.Pole!.DimLevel);
        Assert.Equal(held, fixture.Waiting);
        Assert.False(first.IsCompleted); // the first still waits for the district, up to Twin:DistrictReadWait

        stall.Dispose();
        Assert.Equal(65, (await first.WaitAsync(TimeSpan.FromSeconds(10)))!.Pole!.DimLevel);
        Assert.NotNull(await concurrent.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Once_an_asset_waited_for_a_silent_district_none_waits_for_it_until_it_answers_again()
    {
        var district = TestAssets.NewId("d");
        var poles = new[] { TestAssets.Pole(district: district), TestAssets.Pole(district: district), TestAssets.Pole(district: district) };
        foreach (var pole in poles) await Grains.GetGrain<IAssetGrain>(pole.Id).UpsertAsync(pole);
        var (first, second, third) = (Grains.GetGrain<IAssetGrain>(poles[0].Id), Grains.GetGrain<IAssetGrain>(poles[1].Id), Grains.GetGrain<IAssetGrain>(poles[2].Id));
        foreach (var grain in new[] { first, second, third }) await grain.GetAsync(); // active, their district answering
        // …and the district holding all three: its stream's deliveries (calls to it too) are over before it is stalled.
        foreach (var pole in poles) await Eventually.Until(() => Grains.GetGrain<IDistrictGrain>(district).LiveOfAsync(pole.Id), l => l.Asset is not null);

        var stall = StallDistrict(district);
        try
        {
            // The first read waits out Twin:DistrictReadWait (100 ms on the test's clock)…
            var held = fixture.Waiting;
            var read = first.GetAsync();
            await HeldAfterAsync(held);
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.NotNull(await read.WaitAsync(TimeSpan.FromSeconds(10)));

            // …the next asset of the district answers at once, without asking it (the clock does not move).
            held = fixture.Waiting;
            using (var without = new ReadsWithoutDistrict(fixture.Cluster.Silos[0].ServiceProvider))
            {
                Assert.NotNull(await second.GetAsync().WaitAsync(TimeSpan.FromSeconds(10)));
                Assert.Equal((0, 1), (without.Slow, without.Silent));
            }
            Assert.Equal(held, fixture.Waiting);

            // After the hold, one read asks again, but in the background: it answers at once too. (A read that waited to
            // ask again met the district's new activation just after the failure's declaration: 100 ms in every lane.)
            fixture.Clock.Advance(DistrictReachability.Hold);
            Assert.NotNull(await third.GetAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            held = await HeldAfterAsync(held);
            // The others do not ask while that question is out (when every read asked again at the hold's end, all of
            // them waited together).
            Assert.NotNull(await second.GetAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.NotNull(await first.GetAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(held, fixture.Waiting);

            // Once the district answers that question, every read asks it again (and waits for it).
            stall.Dispose();
            stall = StallDistrict(district);
            held = fixture.Waiting;
            Task<Asset?>? asking = null;
            await Eventually.Until(() =>
            {
                if (asking is null || asking.IsCompleted) asking = second.GetAsync();
                return Task.FromResult(fixture.Waiting);
            }, w => w > held);
            Assert.True(fixture.Waiting > held, "no read asked the district after it answered");
            Assert.False(asking!.IsCompleted);
            stall.Dispose();
            Assert.NotNull(await asking.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            stall.Dispose();
        }
    }

    [Fact]
    public async Task A_command_whose_event_queue_is_on_a_dying_silo_is_acknowledged_once_the_queue_is_back()
    {
        var pole = TestAssets.Pole(district: TestAssets.NewId("d"));
        var grain = Grains.GetGrain<IAssetGrain>(pole.Id);
        await grain.UpsertAsync(pole);
        var failedBefore = fixture.Failed;

        // The memory stream queues refuse the next three events (the pulling agents' reads go on): the status change's
        // event waits for its queue to come back.
        fixture.Methods[nameof(Orleans.Providers.IMemoryStreamQueueGrain.Enqueue)] = 3;
        try
        {
            var changed = await grain.SetStatusAsync(AssetStatus.Offline);
            Assert.Equal(AssetStatus.Offline, changed!.Status);
            Assert.Equal(3, fixture.Failed - failedBefore);
        }
        finally
        {
            fixture.Methods.Clear();
        }
    }

    [Fact]
    public async Task A_read_does_not_queue_behind_a_command_waiting_for_its_event_queue_and_answers_the_state_before_it()
    {
        var pole = TestAssets.Pole(district: TestAssets.NewId("d"));
        var grain = Grains.GetGrain<IAssetGrain>(pole.Id);
        await grain.UpsertAsync(pole);
        var before = (await grain.GetAsync())!.Status;
        var failedBefore = fixture.Failed;

        // The queue refuses the event eight times: the command keeps sending it for about a second (5 ms, doubling, ≤ 500 ms).
        fixture.Methods[nameof(Orleans.Providers.IMemoryStreamQueueGrain.Enqueue)] = 8;
        try
        {
            var command = grain.SetStatusAsync(AssetStatus.Offline);
            await Eventually.Until(() => Task.FromResult(fixture.Failed), f => f >= failedBefore + 2, 10_000);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var read = (await grain.GetAsync().WaitAsync(TimeSpan.FromSeconds(10)))!;
            var commandStillRunning = !command.IsCompleted;
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(400), $"the read took {clock.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(commandStillRunning, "the command finished before the read: the test proved nothing");
            Assert.Equal(before, read.Status); // not acknowledged yet: the state it started from
            Assert.Equal(AssetStatus.Offline, (await command)!.Status);
            Assert.Equal(AssetStatus.Offline, (await grain.GetAsync())!.Status);
        }
        finally
        {
            fixture.Methods.Clear();
        }
    }

    [Fact]
    public async Task Only_a_lost_silo_is_waited_out_anything_else_fails_at_once()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => StreamPublishing.SendPatientlyAsync(() => { attempts++; throw new ArgumentException("bug"); }));
        Assert.Equal(1, attempts);
    }
}
