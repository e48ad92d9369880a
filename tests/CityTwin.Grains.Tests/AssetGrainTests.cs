using CityTwin.Contracts.Assets;

namespace CityTwin.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class AssetGrainTests(ClusterFixture fixture)
{
    private IAssetGrain Grain(string id) => fixture.Client.GetGrain<IAssetGrain>(id);

    [Fact]
    public async Task Registering_creates_version_1_then_identical_content_changes_nothing()
    {
        var pole = TestAssets.Pole();
        var grain = Grain(pole.Id);

        var created = await grain.UpsertAsync(pole);
        var again = await grain.UpsertAsync(pole);
        var renamed = await grain.UpsertAsync(pole with { Name = "Renamed" });

        Assert.Equal(UpsertOutcome.Created, created.Outcome);
        Assert.Equal(1, created.Asset!.Version);
        Assert.Equal(fixture.Clock.GetUtcNow(), created.Asset.UpdatedAt);
        Assert.Equal(UpsertOutcome.Unchanged, again.Outcome);
        Assert.Equal(UpsertOutcome.Updated, renamed.Outcome);
        Assert.Equal(2, renamed.Asset!.Version);
        Assert.Equal(2, fixture.Assets.WritesOf(grain.GetPrimaryKeyString())); // the unchanged upsert wrote nothing
    }

    [Fact]
    public async Task Configuration_is_written_before_the_call_returns()
    {
        var pole = TestAssets.Pole();
        await Grain(pole.Id).UpsertAsync(pole);
        await Grain(pole.Id).SetStatusAsync(AssetStatus.Maintenance);

        var stored = fixture.Assets.Stored(Grain(pole.Id).GetPrimaryKeyString());
        Assert.Equal(AssetStatus.Maintenance, stored!.Asset!.Status);
        Assert.Equal(2, stored.Asset.Version);
    }

    [Fact]
    public async Task An_invalid_asset_is_refused_with_the_field_and_nothing_is_stored()
    {
        var pole = TestAssets.Pole(dim: 150);
        var result = await Grain(pole.Id).UpsertAsync(pole);

        Assert.Equal(UpsertOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Errors, e => e.Field == "pole.dimLevel");
        Assert.Null(await Grain(pole.Id).GetAsync());
        Assert.Equal(0, fixture.Assets.WritesOf(Grain(pole.Id).GetPrimaryKeyString()));
    }

    [Fact]
    public async Task An_asset_registered_under_another_grains_id_is_refused()
    {
        var result = await Grain(TestAssets.NewId("pole")).UpsertAsync(TestAssets.Pole());
        Assert.Equal(UpsertOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Errors, e => e.Field == "id");
    }

    [Fact]
    public async Task Telemetry_for_an_unknown_asset_is_not_found()
    {
        var result = await Grain(TestAssets.NewId("pole")).ApplyTelemetryAsync(new Telemetry { DimLevel = 50 });
        Assert.Equal(TelemetryOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task Telemetry_of_a_foreign_type_is_refused_naming_the_field()
    {
        var pole = TestAssets.Pole();
        await Grain(pole.Id).UpsertAsync(pole);

        var result = await Grain(pole.Id).ApplyTelemetryAsync(new Telemetry { LatencyMs = 80, DimLevel = 40 });

        Assert.Equal(TelemetryOutcome.Invalid, result.Outcome);
        Assert.Equal("latencyMs", Assert.Single(result.Errors).Field);
        Assert.Equal(100, (await Grain(pole.Id).GetAsync())!.Pole!.DimLevel); // nothing half-applied
    }

    [Fact]
    public async Task A_late_reading_never_flips_state_back()
    {
        var pole = TestAssets.Pole();
        await Grain(pole.Id).UpsertAsync(pole);
        var now = fixture.Clock.GetUtcNow();

        Assert.Equal(TelemetryOutcome.Applied, (await Grain(pole.Id).ApplyTelemetryAsync(new Telemetry { Timestamp = now, DimLevel = 30 })).Outcome);
        var late = await Grain(pole.Id).ApplyTelemetryAsync(new Telemetry { Timestamp = now.AddSeconds(-10), DimLevel = 90 });
        var duplicate = await Grain(pole.Id).ApplyTelemetryAsync(new Telemetry { Timestamp = now, DimLevel = 30 });

        Assert.Equal(TelemetryOutcome.Stale, late.Outcome);
        Assert.Equal(TelemetryOutcome.Stale, duplicate.Outcome);
        var asset = (await Grain(pole.Id).GetAsync())!;
        Assert.Equal(30, asset.Pole!.DimLevel);
        Assert.Equal(now, asset.TelemetryAt);
    }

    [Fact]
    public async Task Telemetry_is_coalesced_and_written_behind_within_the_window()
    {
        var pole = TestAssets.Pole();
        var grain = Grain(pole.Id);
        await grain.UpsertAsync(pole);
        var start = fixture.Clock.GetUtcNow();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i <= 50; i++)
            await grain.ApplyTelemetryAsync(new Telemetry { Timestamp = start.AddMilliseconds(i), DimLevel = i });
        var windows = (int)Math.Ceiling(clock.Elapsed / ClusterFixture.ShortWindow); // the readings spanned this many windows

        await WaitUntil(() => fixture.Assets.Stored(grain.GetPrimaryKeyString())?.Asset?.Pole?.DimLevel == 50, ClusterFixture.ShortWindow * 10);
        await Task.Delay(ClusterFixture.ShortWindow * 2);
        // Fifty readings, one write a window they spanned (on a quiet machine: one), besides the registration.
        Assert.InRange(fixture.Assets.WritesOf(grain.GetPrimaryKeyString()) - 1, 1, Math.Min(windows + 1, 10));
        var stored = fixture.Assets.Stored(grain.GetPrimaryKeyString());
        Assert.Equal(50, stored!.Asset!.Pole!.DimLevel);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(condition(), $"condition not met within {timeout}");
    }
}
