using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Backhaul;
using CityTwin.Contracts.Import;

namespace CityTwin.Grains.Tests;

/// <summary>
/// A cluster of its own, with a write-behind window no test outlives: these tests kill its silo, so only what was
/// written through survives. Dependents register with their link's backhaul grain written behind; a fan-out resumed
/// after its silo's death reaches only the dependents the stored state names (those on a surviving silo stay active
/// and never register again), so the grain writes its state before telling the first one.
/// </summary>
public sealed class BackhaulRestartTests : IAsyncLifetime
{
    private readonly LongWindowClusterFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private IGrainFactory Grains => _fixture.Client;

    [Fact]
    public async Task A_link_whose_fan_out_began_names_every_dependent_after_its_silo_dies()
    {
        var district = TestAssets.NewId("d");
        var link = TestAssets.Link(district: district);
        var poles = Enumerable.Range(0, 100).Select(_ => TestAssets.Pole(district: district, link: link.Id)).ToArray();
        await Grains.GetGrain<IImportGrain>(0).ApplyAsync([link, .. poles]);
        var backhaul = Grains.GetGrain<IBackhaulGrain>(link.Id);
        Assert.Equal(poles.Length, (await backhaul.GetDependentsAsync(null, 1_000)).Total); // registered, written behind

        await Grains.GetGrain<IAssetGrain>(link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        await Eventually.Until(() => Grains.GetGrain<IAssetGrain>(poles[^1].Id).GetAsync(), a => !a!.Pole!.Connected); // the fan-out began

        await _fixture.Cluster.KillSiloAsync(_fixture.Cluster.Silos[0]);
        await _fixture.Cluster.StartAdditionalSiloAsync();
        await _fixture.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        // Nothing but the backhaul grain is asked: no dependent activates and registers again before it answers.
        Assert.Equal(poles.Length, (await backhaul.GetDependentsAsync(null, 1_000)).Total);
    }
}
