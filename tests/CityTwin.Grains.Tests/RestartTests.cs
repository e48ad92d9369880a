using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Import;

namespace CityTwin.Grains.Tests;

/// <summary>A cluster of its own: these tests kill its silo.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly ClusterFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private IGrainFactory Grains => _fixture.Client;

    [Fact]
    public async Task A_silo_killed_in_the_middle_of_a_cascade_leaves_no_asset_contradicting_its_dependencies()
    {
        var district = TestAssets.NewId("d");
        var link = TestAssets.Link(district: district);
        var intersection = TestAssets.Intersection(district: district, link: link.Id);
        var cameras = new[] { TestAssets.Camera(intersection.Id, Approach.North, district, link.Id), TestAssets.Camera(intersection.Id, Approach.South, district, link.Id) };
        var poles = Enumerable.Range(0, 300).Select(_ => TestAssets.Pole(district: district, link: link.Id)).ToArray();
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync([link, intersection, .. cameras, .. poles]);
        await Eventually.Until(() => Grains.GetGrain<IAssetGrain>(intersection.Id).GetAsync(), a => a!.Intersection!.Cameras.Length == 2);

        // The link's condition is acknowledged (written), then the silo dies while the cascade is under way.
        await Grains.GetGrain<IAssetGrain>(link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        await _fixture.Cluster.KillSiloAsync(_fixture.Cluster.Silos[0]);
        _fixture.Clock.Advance(TimeSpan.FromSeconds(5)); // a restart takes time; event sequences lean on the clock
        await _fixture.Cluster.StartAdditionalSiloAsync();
        await _fixture.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        Assert.Equal(LinkCondition.Down, (await Grains.GetGrain<IAssetGrain>(link.Id).GetAsync())!.Link!.Condition);
        foreach (var pole in poles) Assert.False((await Grains.GetGrain<IAssetGrain>(pole.Id).GetAsync())!.Pole!.Connected, pole.Id);
        foreach (var camera in cameras) Assert.False((await Grains.GetGrain<IAssetGrain>(camera.Id).GetAsync())!.Camera!.FeedOnline, camera.Id);
        var after = await Eventually.Until(() => Grains.GetGrain<IAssetGrain>(intersection.Id).GetAsync(), a => a!.Intersection!.ActiveMode == ControlMode.FixedTime);
        Assert.Equal(ControlMode.FixedTime, after!.Intersection!.ActiveMode);
        // The district converges as the assets announce themselves on reactivation.
        var view = await Eventually.Until(() => Grains.GetGrain<IDistrictGrain>(district).GetAsync(null, 0),
            v => v.Counts.Contains(new StatusCount(AssetType.Pole, AssetStatus.Degraded, poles.Length)));
        Assert.Contains(new StatusCount(AssetType.Pole, AssetStatus.Degraded, poles.Length), view.Counts);
    }

    [Fact]
    public async Task After_a_restart_the_city_counts_every_district_though_nothing_asked_for_one()
    {
        var district = TestAssets.NewId("d");
        var poles = Enumerable.Range(0, 20).Select(_ => TestAssets.Pole(district: district)).ToArray();
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync(poles);
        var city = Grains.GetGrain<ICityGrain>(ICityGrain.Key);
        await Eventually.Until(() => city.GetStatsAsync(-1), s => Total(s!, district) == poles.Length);
        await Task.Delay(ClusterFixture.ShortWindow * 5); // the district's state is written behind

        await _fixture.Cluster.KillSiloAsync(_fixture.Cluster.Silos[0]);
        await _fixture.Cluster.StartAdditionalSiloAsync();
        await _fixture.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        // Only the city is asked (as /api/stats asks it): no asset, no district. Its reports were in the dead silo's
        // memory, so the district must come back by itself.
        var stats = await Eventually.Until(() => city.GetStatsAsync(-1), s => Total(s!, district) == poles.Length);
        Assert.Equal(poles.Length, Total(stats!, district));
    }

    [Fact]
    public async Task After_a_restart_a_thousand_assets_asked_at_once_come_back_whole_from_a_few_reads()
    {
        var district = TestAssets.NewId("d");
        var poles = Enumerable.Range(0, 1_000).Select(_ => TestAssets.Pole(district: district)).ToArray();
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync(poles);
        await Task.WhenAll(poles.Select((p, i) => Grains.GetGrain<IAssetGrain>(p.Id).ApplyTelemetryAsync(new Telemetry { Timestamp = _fixture.Clock.GetUtcNow(), DimLevel = i % 100 })));
        await Task.Delay(ClusterFixture.ShortWindow * 5); // written behind

        await _fixture.Cluster.KillSiloAsync(_fixture.Cluster.Silos[0]);
        await _fixture.Cluster.StartAdditionalSiloAsync();
        await _fixture.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);
        _fixture.Assets.ReadLatency = TimeSpan.FromMilliseconds(20); // a database round trip

        // An operations centre's first queries, an export: every one is a cold activation reading its row.
        var back = await Task.WhenAll(poles.Select(p => Grains.GetGrain<IAssetGrain>(p.Id).GetAsync()));
        Assert.Equal(poles.Select((_, i) => (double)(i % 100)), back.Select(a => a!.Pole!.DimLevel));
        // Activations that arrive together share a read: a thousand round trips were a thousand reads.
        Assert.InRange(_fixture.Assets.Reads, 1, 100);
    }

    private static int Total(CityStats stats, string district) => stats.Districts.FirstOrDefault(d => d.District == district)?.Total ?? 0;

    [Fact]
    public async Task The_alarm_board_keeps_its_explicit_subscriptions_across_a_restart()
    {
        var district = TestAssets.NewId("d");
        var first = TestAssets.Intersection(district: district);
        var second = TestAssets.Intersection(district: district);
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync([first, second]);
        var board = Grains.GetGrain<IAlarmBoardGrain>(IAlarmBoardGrain.Key);
        await Grains.GetGrain<IAssetGrain>(first.Id).SetControllerFaultAsync(true);
        await Eventually.Until(() => board.GetActiveCountsAsync(), c => c[(int)Domain.Alarms.AlarmSeverity.Critical] == 1);

        await _fixture.Cluster.KillSiloAsync(_fixture.Cluster.Silos[0]);
        _fixture.Clock.Advance(TimeSpan.FromSeconds(5)); // a restart takes time; event sequences lean on the clock
        await _fixture.Cluster.StartAdditionalSiloAsync();
        await _fixture.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        // The board wakes up (and counts what its districts hold); from then on only the stream tells it more.
        const int critical = (int)Domain.Alarms.AlarmSeverity.Critical;
        board = Grains.GetGrain<IAlarmBoardGrain>(IAlarmBoardGrain.Key);
        var woke = (await board.GetActiveCountsAsync())[critical];
        await Grains.GetGrain<IAssetGrain>(second.Id).SetControllerFaultAsync(true);
        var counts = await Eventually.Until(() => board.GetActiveCountsAsync(), c => c[critical] == woke + 1);
        Assert.Equal(woke + 1, counts[critical]);
    }
}
