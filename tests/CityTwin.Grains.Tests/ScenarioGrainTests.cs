using System.Text.Json;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Power;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using CityTwin.Grains.Scenarios;
using Microsoft.Extensions.Options;

namespace CityTwin.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ScenarioGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    private static ScenarioSpec Spec(TestCity city) => new()
    {
        Name = "link down, controller fault",
        SnapshotId = city.District,
        Start = new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero),
        HorizonSeconds = 1_800,
        IntervalSeconds = 300,
        WarmUpSeconds = 300,
        Seed = 11,
        Demand = new DemandSpec { TripsPerHourPerIntersection = 200 },
        Perturbations =
        [
            new Perturbation { Kind = PerturbationKind.LinkDown, TargetId = city.Link.Id, AtSeconds = 300 },
            new Perturbation { Kind = PerturbationKind.ControllerFault, TargetId = city.Intersection.Id, AtSeconds = 600, DurationSeconds = 600 },
        ],
    };

    private async Task<ScenarioView> RunAsync(ScenarioSpec spec, string? id = null)
    {
        var grain = Grains.GetGrain<IScenarioGrain>(id ?? TestAssets.NewId("scn"));
        var started = await grain.StartAsync(spec);
        Assert.True(started.Outcome == ScenarioStartOutcome.Accepted, $"{started.Outcome}: {string.Join("; ", started.Errors.Select(e => e.ToString()))}");
        return await Eventually.Until(async () => (await grain.GetAsync(includeResult: true))!,
            v => v.Status is ScenarioStatus.Completed or ScenarioStatus.Failed or ScenarioStatus.Cancelled);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task A_scenario_never_writes_to_live_grains_or_storage_nor_changes_the_district_aggregate()
    {
        var city = await TestCity.CreateAsync(Grains);
        var district = Grains.GetGrain<IDistrictGrain>(city.District);
        Assert.True(await district.SettleAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(ClusterFixture.ShortWindow * 4); // let write-behind from the import flush first
        var assets = city.Dependents.Append(city.Link).Select(a => a.Id).ToArray();
        var before = await Task.WhenAll(assets.Select(id => city.Get(Grains, id)));
        var writesBefore = assets.Select(id => fixture.Assets.WritesOf(id)).ToArray();
        var districtWrites = fixture.Storage.WritesOf(district.GetGrainId());
        var powerWrites = fixture.Storage.WritesOf(Grains.GetGrain<IPowerGrain>(city.District).GetGrainId());
        var aggregate = await district.GetAsync(null, 100);

        var view = await RunAsync(Spec(city));

        Assert.Equal(ScenarioStatus.Completed, view.Status);
        Assert.Equal(assets.Length, view.SnapshotAssets);
        // The variant lost its link and its controller: the live twin did not.
        Assert.True(view.Result!.City.VariantTotals.MaxAssetsOffline > view.Result.City.BaselineTotals.MaxAssetsOffline);
        Assert.True(await district.SettleAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(ClusterFixture.ShortWindow * 4);
        var after = await Task.WhenAll(assets.Select(id => city.Get(Grains, id)));
        Assert.Equal(before.Select(a => (a.Id, a.Version, a.Status)), after.Select(a => (a.Id, a.Version, a.Status)));
        Assert.Equal(writesBefore, assets.Select(id => fixture.Assets.WritesOf(id)).ToArray());
        Assert.Equal(districtWrites, fixture.Storage.WritesOf(district.GetGrainId()));
        Assert.Equal(powerWrites, fixture.Storage.WritesOf(Grains.GetGrain<IPowerGrain>(city.District).GetGrainId()));
        Assert.Equal(Json(aggregate), Json(await district.GetAsync(null, 100)));
    }

    [Fact]
    public async Task The_same_spec_and_seed_give_the_same_result_bit_for_bit_through_the_grain()
    {
        var city = await TestCity.CreateAsync(Grains);
        Assert.True(await Grains.GetGrain<IDistrictGrain>(city.District).SettleAsync(TimeSpan.FromSeconds(10)));
        var spec = Spec(city);

        var a = await RunAsync(spec);
        var b = await RunAsync(spec);
        var direct = ScenarioRunner.Run(spec, await SnapshotCapture.CaptureAsync(Grains, city.District));

        Assert.Equal(ScenarioStatus.Completed, a.Status);
        Assert.Equal(Json(a.Result), Json(b.Result));
        Assert.Equal(Json(direct), Json(a.Result));
        var other = await RunAsync(spec with { Seed = 12 });
        Assert.NotEqual(Json(a.Result), Json(other.Result));
    }

    [Fact]
    public async Task A_completed_result_is_readable_only_once_stored_and_a_status_poll_carries_only_its_summary()
    {
        var city = await TestCity.CreateAsync(Grains);
        var id = TestAssets.NewId("scn");
        var view = await RunAsync(Spec(city), id);

        var stored = fixture.Storage.Stored<ScenarioGrainState>("scenario", Grains.GetGrain<IScenarioGrain>(id).GetGrainId());
        Assert.Equal(ScenarioStatus.Completed, stored!.View!.Status);
        Assert.Equal(Json(view.Result), Json(stored.View.Result));
        var poll = (await Grains.GetGrain<IScenarioGrain>(id).GetAsync(includeResult: false))!;
        Assert.Null(poll.Result);
        Assert.Empty(poll.Summary!.Intersections);
        Assert.Equal(Json(view.Result!.City), Json(poll.Summary.City));
    }

    [Fact]
    public async Task A_finished_scenario_leaves_memory_once_idle()
    {
        var city = await TestCity.CreateAsync(Grains);
        var grain = Grains.GetGrain<IScenarioGrain>(TestAssets.NewId("scn"));
        Assert.Equal(ScenarioStatus.Completed, (await RunAsync(Spec(city), grain.GetPrimaryKeyString())).Status);
        var management = Grains.GetGrain<IManagementGrain>(0);

        // Held in memory while it ran; once finished, idle collection takes it like any grain (the result is stored).
        var gone = await Eventually.Until(async () =>
        {
            await management.ForceActivationCollection(TimeSpan.FromMilliseconds(200));
            return !(await management.GetActiveGrains(grain.GetGrainId().Type)).Contains(grain.GetGrainId());
        }, g => g);
        Assert.True(gone);
        Assert.Equal(ScenarioStatus.Completed, (await grain.GetAsync(includeResult: false))!.Status);
    }

    [Fact]
    public async Task A_spec_naming_assets_the_snapshot_lacks_is_refused_with_field_errors()
    {
        var city = await TestCity.CreateAsync(Grains);
        var grain = Grains.GetGrain<IScenarioGrain>(TestAssets.NewId("scn"));
        var spec = Spec(city) with { Perturbations = [new Perturbation { Kind = PerturbationKind.LinkDown, TargetId = "no-such-link" }] };

        var started = await grain.StartAsync(spec);

        Assert.Equal(ScenarioStartOutcome.Invalid, started.Outcome);
        Assert.Contains(started.Errors, e => e.Field.StartsWith("perturbations[0]", StringComparison.Ordinal));
        Assert.Null(await grain.GetAsync(false));
        var unknown = await Grains.GetGrain<IScenarioGrain>(TestAssets.NewId("scn")).StartAsync(spec with { SnapshotId = "no-such-district" });
        Assert.Equal("snapshotId", Assert.Single(unknown.Errors).Field);
    }

    /// <summary>What storage holds of a run whose silo died: queued or running, with its spec.</summary>
    private async Task<IScenarioGrain> InterruptedAsync(ScenarioSpec spec, int attempt)
    {
        var grain = Grains.GetGrain<IScenarioGrain>(TestAssets.NewId("scn"));
        await fixture.Storage.WriteStateAsync("scenario", grain.GetGrainId(), new Orleans.GrainState<ScenarioGrainState>(new()
        {
            Spec = spec,
            View = new ScenarioView
            {
                Id = grain.GetPrimaryKeyString(), Name = spec.Name, Status = ScenarioStatus.Running, Progress = 0.5, Attempt = attempt,
                SubmittedAt = fixture.Clock.GetUtcNow(), StartedAt = fixture.Clock.GetUtcNow(),
            },
        }));
        return grain;
    }

    [Fact]
    public async Task A_run_whose_silo_stopped_starts_again_from_its_spec_says_so_and_gives_the_same_result()
    {
        var city = await TestCity.CreateAsync(Grains);
        Assert.True(await Grains.GetGrain<IDistrictGrain>(city.District).SettleAsync(TimeSpan.FromSeconds(10)));
        var spec = Spec(city);
        var grain = await InterruptedAsync(spec, attempt: 1);

        var view = await Eventually.Until(async () => (await grain.GetAsync(includeResult: true))!,
            v => v.Status is ScenarioStatus.Completed or ScenarioStatus.Failed or ScenarioStatus.Cancelled);

        Assert.Equal(ScenarioStatus.Completed, view.Status);
        Assert.Equal(2, view.Attempt);
        Assert.Contains("the silo running it stopped", view.Note);
        var direct = ScenarioRunner.Run(spec, await SnapshotCapture.CaptureAsync(Grains, city.District));
        Assert.Equal(Json(direct), Json(view.Result));
    }

    [Fact]
    public async Task A_run_interrupted_on_its_last_attempt_is_failed_and_says_why()
    {
        var city = await TestCity.CreateAsync(Grains);
        var grain = await InterruptedAsync(Spec(city), attempt: ScenarioGrain.MaxAttempts);

        var view = (await grain.GetAsync(includeResult: false))!;

        Assert.Equal(ScenarioStatus.Failed, view.Status);
        Assert.Contains("the silo running it stopped", view.Error);
    }

    [Fact]
    public async Task The_limiter_admits_the_running_and_the_queued_then_refuses()
    {
        using var limiter = new ScenarioLimiter(Options.Create(new ScenarioOptions { MaxConcurrent = 1, MaxQueued = 1 }));
        Assert.True(limiter.TryAdmit());
        Assert.True(limiter.TryAdmit());
        Assert.False(limiter.TryAdmit());
        var first = await limiter.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var second = limiter.AcquireAsync(cancel.Token);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, limiter.QueueDepth);
        first.Dispose();
        (await second).Dispose();
        Assert.Equal(0, limiter.QueueDepth);
        Assert.True(limiter.TryAdmit());
        limiter.Leave();
    }

    [Fact]
    public async Task A_job_whose_state_cannot_be_stored_gives_its_place_back_and_leaves_no_state()
    {
        using var limiter = new ScenarioLimiter(Options.Create(new ScenarioOptions { MaxConcurrent = 1, MaxQueued = 0 }));
        Assert.True(limiter.TryAdmit());
        string? state = "queued";
        await Assert.ThrowsAsync<TimeoutException>(() => limiter.KeepIfStoredAsync(() => throw new TimeoutException("storage down"), () => state = null));
        Assert.Null(state);

        Assert.True(limiter.TryAdmit()); // the failed submit's place is free again
        await limiter.KeepIfStoredAsync(() => Task.CompletedTask, () => state = null);
        Assert.False(limiter.TryAdmit()); // a stored job keeps its place
    }
}
