using System.Text.Json;
using CityTwin.Domain.Lighting;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Domain.Tests.Scenarios;

public sealed class ScenarioRunnerTests
{
    private static readonly Lazy<ScenarioResult> Quiet = new(() => ScenarioRunner.Run(ScenarioFixture.Spec(), ScenarioFixture.Snapshot.Value));

    private static ScenarioResult Run(params Perturbation[] perturbations) => ScenarioRunner.Run(ScenarioFixture.Spec(perturbations), ScenarioFixture.Snapshot.Value);

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    [Fact]
    public void Without_perturbations_the_variant_is_the_baseline_exactly()
    {
        var r = Quiet.Value;
        Assert.Equal(Json(r.City.Baseline), Json(r.City.Variant));
        Assert.Equal(new KpiTotals(), r.City.Delta);
        Assert.All(r.Intersections, i => Assert.Equal(Json(i.Baseline), Json(i.Variant)));
        Assert.Equal(r.BaselineTripsCompleted, r.VariantTripsCompleted);
        // And it is a working city: traffic flows, lights burn (a January evening), links are up.
        Assert.True(r.City.BaselineTotals.Throughput > 1_000);
        Assert.InRange(r.City.BaselineTotals.MeanDelaySeconds, 2, 60);
        Assert.True(r.City.BaselineTotals.EnergyKWh > 0);
        Assert.Equal(1, r.City.BaselineTotals.LinkAvailability);
        Assert.Equal([300, 600, 900, 1_200, 1_500, 1_800], r.IntervalEndSeconds);
        Assert.Equal(ScenarioFixture.Snapshot.Value.Districts.Length, r.Districts.Length);
        Assert.Equal(["The spec has no perturbations: the variant is the baseline."], r.Notes);
    }

    [Fact]
    public void A_perturbation_of_something_already_in_that_state_is_said_to_change_nothing()
    {
        // An operator cut the link before the snapshot: the link is down and its cameras without feed in it.
        var live = ScenarioFixture.Snapshot.Value;
        var k = 0;
        var snapshot = live.Fork();
        snapshot.LinkWorking[k] = false;
        for (var c = 0; c < snapshot.CameraIds.Length; c++) if (snapshot.CameraBackhaul[c] == k) snapshot.CameraWorking[c] = false;
        var carried = Enumerable.Range(0, live.CameraIds.Length).Count(c => live.CameraBackhaul[c] == k && live.CameraWorking[c]);
        var spec = ScenarioFixture.Spec(
            new Perturbation { Kind = PerturbationKind.LinkDown, TargetId = live.LinkIds[k], AtSeconds = 600 },
            new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 1, AtSeconds = 0 });

        var r = ScenarioRunner.Run(spec, snapshot);

        Assert.Equal(new KpiTotals(), r.City.Delta);
        Assert.Equal(
        [
            $"Perturbation 1 (linkDown {live.LinkIds[k]}) changes nothing: the link is already down in the snapshot.",
            "Perturbation 2 (demandFactor) changes nothing: a demand factor of 1 leaves demand as it is.",
            "The variant's KPIs equal the baseline's: see the notes above.",
        ], r.Notes);
        // And both sides count what the operators see offline: the link and the cameras behind it.
        Assert.True(r.City.BaselineTotals.MaxAssetsOffline >= carried + 1);
        Assert.True(r.City.BaselineTotals.MaxCamerasWithoutFeed >= carried);
    }

    [Fact]
    public void Demand_from_the_twin_follows_the_cameras_counts_within_the_window_and_says_how_well_it_fits()
    {
        var snapshot = ScenarioFixture.Snapshot.Value.Fork();
        var now = new DateTimeOffset(2026, 1, 15, 16, 0, 0, TimeSpan.Zero).UtcTicks;
        var watching = Enumerable.Range(0, snapshot.CameraIds.Length).Where(c => snapshot.CameraIntersection[c] >= 0 && snapshot.CameraApproach[c] >= 0).ToList();
        Assert.True(watching.Count > 20);
        // Busy approaches: 900 veh/h counted by every other camera in the last hour; the rest read two hours ago.
        for (var k = 0; k < watching.Count; k++)
        {
            snapshot.CameraCountPerHour[watching[k]] = 900;
            snapshot.CameraCountAt[watching[k]] = k % 2 == 0 ? now : now - TimeSpan.FromHours(2).Ticks;
        }
        var synthetic = ScenarioFixture.Spec();
        var fromTwin = synthetic with { Demand = synthetic.Demand with { FromTwin = new DemandFromTwin { Window = "PT1H" } } };

        var r = ScenarioRunner.Run(fromTwin, snapshot);
        var plain = ScenarioRunner.Run(synthetic, snapshot);

        var fit = r.DemandFit!;
        Assert.Equal((watching.Count + 1) / 2, fit.CamerasCounted);
        Assert.True(fit.ShareGehBelow5 > fit.PriorShareGehBelow5, $"GEH < 5: {fit.ShareGehBelow5:P0} estimated, {fit.PriorShareGehBelow5:P0} the prior");
        Assert.True(fit.EstimatedTripsPerHour > 1.5 * fit.PriorTripsPerHour); // the counts are far above the synthetic demand
        Assert.True(r.City.BaselineTotals.Throughput > plain.City.BaselineTotals.Throughput);
        Assert.Null(plain.DemandFit);
        Assert.NotEmpty(fit.Worst);
    }

    [Fact]
    public void Demand_from_the_twin_without_counts_in_the_window_says_it_used_the_synthetic_demand()
    {
        var synthetic = ScenarioFixture.Spec();
        var spec = synthetic with { Demand = synthetic.Demand with { FromTwin = new DemandFromTwin { Window = "PT15M" } } };
        var snapshot = ScenarioFixture.Snapshot.Value.Fork();
        Array.Fill(snapshot.CameraCountPerHour, -1);
        Array.Fill(snapshot.IntersectionFlowPerHour, -1);

        var r = ScenarioRunner.Run(spec, snapshot);

        Assert.Equal(0, r.DemandFit!.CountedApproaches);
        Assert.Equal(0, r.DemandFit.IntersectionsCounted);
        Assert.Contains(r.Notes, n => n.StartsWith("No camera or intersection of the snapshot had a count within the window (PT15M)", StringComparison.Ordinal));
    }

    [Fact]
    public void Demand_from_the_twin_follows_the_intersections_reported_flows_where_no_camera_counts()
    {
        var snapshot = ScenarioFixture.Snapshot.Value.Fork();
        var now = new DateTimeOffset(2026, 1, 15, 16, 0, 0, TimeSpan.Zero).UtcTicks;
        Array.Fill(snapshot.CameraCountPerHour, -1);
        // Every controller reports 2,400 veh/h entering its junction, well above the synthetic demand; a third of them too long ago.
        var n = snapshot.IntersectionIds.Length;
        for (var i = 0; i < n; i++)
        {
            snapshot.IntersectionFlowPerHour[i] = 2_400;
            snapshot.IntersectionFlowAt[i] = i % 3 == 0 ? now - TimeSpan.FromHours(2).Ticks : now;
        }
        var synthetic = ScenarioFixture.Spec();
        var spec = synthetic with { Demand = synthetic.Demand with { FromTwin = new DemandFromTwin { Window = "PT1H" } } };

        var r = ScenarioRunner.Run(spec, snapshot);

        var fit = r.DemandFit!;
        Assert.Equal(0, fit.CamerasCounted);
        Assert.Equal(Enumerable.Range(0, n).Count(i => i % 3 != 0), fit.IntersectionsCounted);
        Assert.True(fit.ShareGehBelow5 > fit.PriorShareGehBelow5, $"GEH < 5: {fit.ShareGehBelow5:P0} estimated, {fit.PriorShareGehBelow5:P0} the prior");
        Assert.True(fit.EstimatedTripsPerHour > 1.5 * fit.PriorTripsPerHour);
        Assert.All(fit.Worst, w => Assert.Equal("all", w.Approach));
        Assert.DoesNotContain(r.Notes, note => note.StartsWith("No camera or intersection", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_spec_and_seed_give_the_same_result_bit_for_bit()
    {
        var link = ScenarioFixture.Of(AssetType.Link).First().Id;
        var intersection = ScenarioFixture.Of(AssetType.Intersection).ElementAt(10).Id;
        Perturbation[] changes =
        [
            new() { Kind = PerturbationKind.LinkDegraded, TargetId = link, RainRateMmPerHour = 15, AtSeconds = 120 },
            new() { Kind = PerturbationKind.ControllerFault, TargetId = intersection, AtSeconds = 300, DurationSeconds = 900 },
            new() { Kind = PerturbationKind.DemandFactor, Factor = 1.2, AtSeconds = 600 },
        ];
        var a = Run(changes);
        var b = Run(changes);
        Assert.Equal(Json(a), Json(b));
        var other = ScenarioRunner.Run(ScenarioFixture.Spec(changes) with { Seed = 5 }, ScenarioFixture.Snapshot.Value);
        Assert.NotEqual(Json(a), Json(other));
    }

    [Fact]
    public void A_controller_fault_darkens_its_junction_for_its_duration_only_in_the_variant()
    {
        var target = ScenarioFixture.Of(AssetType.Intersection).ElementAt(12).Id;
        var r = Run(new Perturbation { Kind = PerturbationKind.ControllerFault, TargetId = target, AtSeconds = 300, DurationSeconds = 600 });
        var x = r.Intersections.Single(i => i.Id == target);

        Assert.Equal(0, x.Baseline.SecondsDark);
        Assert.Equal(600, x.Variant.SecondsDark);
        Assert.NotEqual(x.Baseline.MeanDelaySeconds, x.Variant.MeanDelaySeconds);
        Assert.Equal(1, r.City.VariantTotals.MaxAssetsOffline - r.City.BaselineTotals.MaxAssetsOffline);
        Assert.Equal([0, 1, 1, 0, 0, 0], r.City.Variant.AssetsOffline.Zip(r.City.Baseline.AssetsOffline, (v, b) => v - b));
    }

    [Fact]
    public void A_feeder_outage_darkens_its_poles_and_cameras_while_the_signals_run_on_battery()
    {
        var snapshot = ScenarioFixture.Snapshot.Value;
        var feeder = snapshot.Feeders[0];
        var f = 0;
        var r = Run(new Perturbation { Kind = PerturbationKind.FeederOutage, TargetId = feeder });

        var poles = Enumerable.Range(0, snapshot.PoleIds.Length).Count(p => snapshot.PoleFeeder[p] == f && snapshot.PoleWorking[p]);
        var cameras = Enumerable.Range(0, snapshot.CameraIds.Length).Count(c => snapshot.CameraFeeder[c] == f && snapshot.CameraWorking[c]);
        Assert.True(poles > 0 && cameras > 0);
        Assert.Equal(poles + cameras, r.City.VariantTotals.MaxAssetsOffline - r.City.BaselineTotals.MaxAssetsOffline);
        Assert.Equal(cameras, r.City.VariantTotals.MaxCamerasWithoutFeed - r.City.BaselineTotals.MaxCamerasWithoutFeed);
        Assert.True(r.City.Delta.EnergyKWh < 0);
        // Controllers on that feeder keep running (4 h of battery): none goes dark in a 30 min horizon.
        Assert.All(r.Intersections, i => Assert.Equal(0, i.Variant.SecondsDark));
        // Adaptive intersections whose cameras lost power are blind after the timeout.
        var blind = Enumerable.Range(0, snapshot.IntersectionCount).Where(i => snapshot.IntersectionFeeder[i] == f).ToList();
        Assert.All(blind, i => Assert.Equal(1_800, r.Intersections[i].Variant.SecondsWithoutDetection));
    }

    [Fact]
    public void A_district_outage_beyond_the_battery_turns_its_junctions_dark()
    {
        var snapshot = ScenarioFixture.Snapshot.Value;
        var district = snapshot.Districts[0];
        var spec = ScenarioFixture.Spec(new Perturbation { Kind = PerturbationKind.DistrictOutage, District = district }) with
        {
            HorizonSeconds = ScenarioRunner.BatterySeconds + 600, IntervalSeconds = 1_800, WarmUpSeconds = 0,
            Demand = new DemandSpec { TripsPerHourPerIntersection = 5 },
        };
        var r = ScenarioRunner.Run(spec, snapshot);
        foreach (var x in r.Intersections)
        {
            if (x.District == district) Assert.Equal(600, x.Variant.SecondsDark);
            else Assert.Equal(0, x.Variant.SecondsDark);
        }
        var links = r.Links.Where(l => l.District == district).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.Equal((0.0, 1.0), (l.Variant.Availability, l.Baseline.Availability)));
        Assert.Equal(0, r.Districts.Single(d => d.Id == district).VariantTotals.EnergyKWh);
    }

    [Fact]
    public void A_failed_LEO_link_cuts_the_feeds_it_carries_and_its_cameras_count_as_offline()
    {
        var snapshot = ScenarioFixture.Snapshot.Value;
        var k = 0;
        var r = Run(new Perturbation { Kind = PerturbationKind.LinkDown, TargetId = snapshot.LinkIds[k], AtSeconds = 600, DurationSeconds = 600 });

        var carried = Enumerable.Range(0, snapshot.CameraIds.Length).Count(c => snapshot.CameraBackhaul[c] == k && snapshot.CameraWorking[c]);
        Assert.True(carried > 0);
        Assert.Equal(carried, r.City.VariantTotals.MaxCamerasWithoutFeed - r.City.BaselineTotals.MaxCamerasWithoutFeed);
        // Offline as the live twin shows them: the link and every camera it carried.
        Assert.Equal(carried + 1, r.City.Delta.MaxAssetsOffline);
        Assert.Empty(r.Notes);
        var link = r.Links[k];
        Assert.Equal(2.0 / 3, link.Variant.Availability, 9);
        Assert.Equal([1.0, 1.0, 0.0, 0.0, 1.0, 1.0], link.VariantAvailability);
        Assert.True(r.City.Delta.LinkAvailability < 0);
    }

    [Fact]
    public void More_demand_means_more_traffic_and_longer_waits()
    {
        var r = Run(new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 1.5 });
        Assert.True(r.City.VariantTotals.Throughput > 1.3 * r.City.BaselineTotals.Throughput);
        Assert.True(r.City.Delta.MeanDelaySeconds > 0);
        Assert.True(r.VariantTripsCompleted > r.BaselineTripsCompleted);
    }

    [Fact]
    public void A_dimming_policy_saves_energy_and_never_dims_junctions()
    {
        // From 16:30 UTC (17:30 local) the typical profile runs the non-junction poles at 70 %.
        var r = Run(new Perturbation { Kind = PerturbationKind.LightingPolicy, Lighting = DimmingProfile.Typical });
        var s = ScenarioFixture.Snapshot.Value;
        double own = 0, typical = 0;
        for (var p = 0; p < s.PoleIds.Length; p++)
        {
            if (!s.PoleWorking[p]) continue;
            own += s.PoleRatedW[p] * (s.PoleJunction[p] ? 100 : s.PoleDimLevel[p]) / 100;
            typical += s.PoleRatedW[p] * (s.PoleJunction[p] ? 100 : 70) / 100;
        }
        Assert.Equal(own * 0.5 / 1_000, r.City.BaselineTotals.EnergyKWh, 6); // half an hour, all lit
        Assert.Equal(typical * 0.5 / 1_000, r.City.VariantTotals.EnergyKWh, 6);
    }

    [Fact]
    public void Lighting_energy_across_sunset_matches_the_exact_integral_per_pole()
    {
        // 15:50 UTC on 15 January: Brussels' sun sets at ≈ 16:06 UTC, so the lamps come on 16 minutes in.
        var spec = ScenarioFixture.Spec() with { Start = new DateTimeOffset(2026, 1, 15, 15, 50, 0, TimeSpan.Zero), HorizonSeconds = 3_600, WarmUpSeconds = 0 };
        var s = ScenarioFixture.Snapshot.Value;
        var r = ScenarioRunner.Run(spec, s);
        var exact = 0.0;
        for (var p = 0; p < s.PoleIds.Length; p++)
            if (s.PoleWorking[p])
                exact += StreetLighting.EnergyKWh(s.Centre(), TimeSpan.FromHours(1), spec.Start, spec.Start.AddHours(1), s.PoleRatedW[p], s.PoleDimLevel[p], s.PoleJunction[p], DimmingProfile.OwnLevels);
        Assert.True(exact > 0);
        // Lamps switch at the step (≤ 15 s) that contains sunset: within 15 s of burning.
        var allLit = Enumerable.Range(0, s.PoleIds.Length).Where(p => s.PoleWorking[p]).Sum(p => s.PoleRatedW[p] * (s.PoleJunction[p] ? 100 : s.PoleDimLevel[p]) / 100) / 1_000;
        Assert.InRange(r.City.BaselineTotals.EnergyKWh, exact - allLit * 15 / 3_600, exact + allLit * 15 / 3_600);
        Assert.Equal(0, r.City.Baseline.EnergyKWh[0]); // 15:50–15:55: daylight
    }

    [Fact]
    public void Progress_is_reported_every_interval_and_a_run_can_be_cancelled()
    {
        var reports = new List<ScenarioProgress>();
        ScenarioRunner.Run(ScenarioFixture.Spec(), ScenarioFixture.Snapshot.Value, new Collect(reports));
        Assert.Equal([300, 600, 900, 1_200, 1_500, 1_800], reports.Select(p => p.SimulatedSeconds));
        Assert.Equal(1, reports[^1].Fraction);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ScenarioRunner.Run(ScenarioFixture.Spec(), ScenarioFixture.Snapshot.Value, null, cancelled.Token));
    }

    [Fact]
    public void A_spec_with_inline_assets_runs_without_a_stored_snapshot()
    {
        var spec = ScenarioFixture.Spec() with { SnapshotId = null, Assets = [.. ScenarioFixture.City.Value.Assets] };
        Assert.Equal(Json(Quiet.Value with { }), Json(ScenarioRunner.Run(spec)));
    }

    /// <summary>Synchronous, unlike Progress&lt;T&gt;, which posts to the thread pool.</summary>
    private sealed class Collect(List<ScenarioProgress> into) : IProgress<ScenarioProgress>
    {
        public void Report(ScenarioProgress value) => into.Add(value);
    }
}
