using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Import;
using CityTwin.Grains.Assets;
using CityTwin.Grains.Districts;
using CityTwin.Grains.Feed;
using CityTwin.Storage;
using Microsoft.Extensions.Configuration;

namespace CityTwin.Grains.Tests;

/// <summary>A cluster of its own, rebalancing quickly: these tests add a silo to a cluster that holds the city.</summary>
public sealed class RebalancingTests : IAsyncLifetime
{
    private readonly Fixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task A_silo_that_joins_gets_a_share_of_the_assets_which_take_their_unstored_readings_along()
    {
        var districts = Enumerable.Range(0, 20).Select(_ => TestAssets.NewId("d")).ToArray();
        var poles = Enumerable.Range(0, 200).Select(i => TestAssets.Pole(district: districts[i % districts.Length])).ToArray();
        await _fixture.Client.GetGrain<IImportGrain>(0).ApplyAsync(poles);
        for (var i = 0; i < poles.Length; i++) // written behind, and the window (1 h) outlives the test
            await _fixture.Client.GetGrain<IAssetGrain>(poles[i].Id).ApplyTelemetryAsync(new Telemetry { Timestamp = _fixture.Clock.GetUtcNow(), DimLevel = i % 100 });
        var first = _fixture.Cluster.Silos[0].SiloAddress;
        Assert.Equal(poles.Length, (await WhereAsync<AssetGrain>()).Count(s => s.Silo == first && poles.Any(p => p.Id == s.Key)));

        var second = (await _fixture.Cluster.StartAdditionalSiloAsync()).SiloAddress;
        var moved = await Eventually.Until(async () => (await WhereAsync<AssetGrain>()).Where(s => s.Silo == second).Select(s => s.Key).ToHashSet(),
            keys => poles.Count(p => keys.Contains(p.Id)) >= poles.Length / 4, timeoutMs: 90_000);

        var movedPoles = poles.Select((pole, i) => (pole, i)).Where(p => moved.Contains(p.pole.Id)).ToList();
        Assert.True(movedPoles.Count >= poles.Length / 4, $"{movedPoles.Count} of {poles.Length} poles moved to the new silo");
        // A move is a deactivation: each asset wrote what it had not stored, and its new activation read it back.
        foreach (var (pole, i) in movedPoles)
        {
            Assert.Equal(i % 100, _fixture.Assets.Stored(pole.Id)!.Asset!.Pole!.DimLevel);
            Assert.Equal(i % 100, (await _fixture.Client.GetGrain<IAssetGrain>(pole.Id).GetAsync())!.Pole!.DimLevel);
        }
        // Districts (their live readings) and feeds (their subscribers) hold what exists only in memory: they stay.
        Assert.All((await WhereAsync<DistrictGrain>()).Where(s => districts.Contains(s.Key)), s => Assert.Equal(first, s.Silo));
        Assert.All((await WhereAsync<FeedGrain>()).Where(s => districts.Contains(s.Key)), s => Assert.Equal(first, s.Silo));
    }

    /// <summary>Where each activation of a grain class lives, by its key.</summary>
    private async Task<IEnumerable<(string Key, SiloAddress Silo)>> WhereAsync<TGrain>() =>
        (await _fixture.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics())
            .Where(s => s.GrainType.Contains(typeof(TGrain).FullName!, StringComparison.Ordinal))
            .Select(s => (s.GrainId.Key.ToString()!, s.SiloAddress));

    private sealed class Fixture : ClusterFixture
    {
        public override TimeSpan WriteBehind => TimeSpan.FromHours(1);

        // Sessions every 2 s from the first second, taking the full step from the first cycle (Orleans eases in over ~30).
        protected override void Configure(ISiloBuilder silo) => silo.UseCityTwinRebalancing(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{Rebalancing.Section}:RebalancerDueTime"] = "00:00:01",
            [$"{Rebalancing.Section}:SessionCyclePeriod"] = "00:00:02",
            [$"{Rebalancing.Section}:CycleNumberWeight"] = "1",
        }).Build());
    }
}
