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
        Assert.Equal(1, fixture.Assets.WritesOf(grain.GetPrimaryKeyString())); // the reading waits for its window

        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(2, fixture.Assets.WritesOf(grain.GetPrimaryKeyString()));
        var stored = fixture.Assets.Stored(grain.GetPrimaryKeyString());
        Assert.Equal(42, stored!.Asset!.Pole!.DimLevel);
        Assert.Equal(42, (await grain.GetAsync())!.Pole!.DimLevel); // reactivated from storage
    }
}
