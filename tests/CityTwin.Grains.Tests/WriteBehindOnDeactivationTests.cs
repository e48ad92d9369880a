using CityTwin.Contracts.Assets;

namespace CityTwin.Grains.Tests;

public sealed class WriteBehindOnDeactivationTests(LongWindowClusterFixture fixture) : IClassFixture<LongWindowClusterFixture>
{
    [Fact]
    public async Task Deactivation_flushes_pending_telemetry()
    {
        var pole = TestAssets.Pole();
        var grain = fixture.Client.GetGrain<IAssetGrain>(pole.Id);
        await grain.UpsertAsync(pole);
        await grain.ApplyTelemetryAsync(new Telemetry { DimLevel = 42 });
        Assert.Equal(1, fixture.Storage.WritesOf(grain.GetGrainId())); // the reading waits for its window

        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(2, fixture.Storage.WritesOf(grain.GetGrainId()));
        var stored = fixture.Storage.Stored<Assets.AssetGrainState>("asset", grain.GetGrainId());
        Assert.Equal(42, stored!.Asset!.Pole!.DimLevel);
        Assert.Equal(42, (await grain.GetAsync())!.Pole!.DimLevel); // reactivated from storage
    }
}
