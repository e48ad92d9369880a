using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Import;

namespace CityTwin.Grains.Tests;

/// <summary>
/// Idle assets leave memory and come back whole: a silo holds the busy part of the city, the read model answers for
/// the rest, and what an idle asset was told last (a reading written behind, a command) is what it activates with.
/// </summary>
public sealed class IdleAssetTests(IdleAssetTests.Fixture fixture) : IClassFixture<IdleAssetTests.Fixture>
{
    [Fact]
    public async Task An_idle_asset_is_deactivated_stays_queryable_and_comes_back_with_its_last_reading_and_command()
    {
        var district = TestAssets.NewId("d");
        var poles = Enumerable.Range(0, 50).Select(_ => TestAssets.Pole(district: district)).ToArray();
        await fixture.Client.GetGrain<IImportGrain>(0).ApplyAsync(poles);
        var pole = fixture.Client.GetGrain<IAssetGrain>(poles[0].Id);
        await pole.ApplyTelemetryAsync(new Telemetry { Timestamp = fixture.Clock.GetUtcNow(), DimLevel = 35 }); // written behind (1 h window)
        await pole.SetStatusAsync(AssetStatus.Maintenance);
        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        Assert.True(await ActiveAssetsAsync(management) >= poles.Length);

        var active = await Eventually.Until(() => ActiveAssetsAsync(management), n => n == 0, timeoutMs: 20_000);
        Assert.Equal(0, active); // every asset went idle and was deactivated

        var view = await fixture.Client.GetGrain<IDistrictGrain>(district).GetAsync(null, 0);
        Assert.Contains(new StatusCount(AssetType.Pole, AssetStatus.Operational, 49), view.Counts); // still answered for
        var back = await pole.GetAsync(); // activates from storage
        Assert.Equal((AssetStatus.Maintenance, 35.0), (back!.OperatorStatus, back.Pole!.DimLevel));
    }

    [Fact]
    public async Task An_asset_woken_by_another_call_answers_a_later_get_with_the_districts_newest_reading()
    {
        // The activation takes the district's readings in for the call that woke the grain; a GET after that call must
        // ask the district again, or it would answer with what the district held at the activation.
        var district = TestAssets.NewId("d");
        var pole = TestAssets.Pole(district: district);
        await fixture.Client.GetGrain<IImportGrain>(0).ApplyAsync([pole]);
        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        await Eventually.Until(() => ActiveAssetsAsync(management), n => n == 0, timeoutMs: 20_000);

        var grain = fixture.Client.GetGrain<IAssetGrain>(pole.Id);
        Assert.NotNull(await grain.GetPlaceAsync()); // wakes it (the API's routing asks this)
        var at = fixture.Clock.GetUtcNow();
        var applied = await fixture.Client.GetGrain<IDistrictGrain>(district).ApplyTelemetryAsync(
            [new CityTwin.Domain.Ingest.TelemetryReading(pole.Id, new Telemetry { DimLevel = 61, Timestamp = at })]);
        Assert.Equal(TelemetryOutcome.Applied, applied[0]!.Outcome);

        var first = await grain.GetAsync();
        var second = await grain.GetAsync();
        Assert.Equal((61.0, 61.0), (first!.Pole!.DimLevel, second!.Pole!.DimLevel));
    }

    private static async Task<int> ActiveAssetsAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains(nameof(Assets.AssetGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);

    public sealed class Fixture : ClusterFixture
    {
        public override TimeSpan WriteBehind => TimeSpan.FromHours(1);
        public override TimeSpan AssetIdleDeactivation => TimeSpan.FromSeconds(2);
        public override TimeSpan? CollectionQuantum => TimeSpan.FromMilliseconds(500);
    }
}
