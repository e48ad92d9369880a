using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Backhaul;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Events;
using CityTwin.Contracts.Power;
using CityTwin.Contracts.Streams;
using CityTwin.Domain.Alarms;
using Orleans.Streams;

namespace CityTwin.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CascadeTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;
    private IAssetGrain Asset(string id) => Grains.GetGrain<IAssetGrain>(id);

    [Fact]
    public async Task A_link_that_goes_down_cuts_its_poles_and_cameras_and_the_intersection_falls_back_to_fixed_time()
    {
        var city = await TestCity.CreateAsync(Grains);
        Assert.Equal(ControlMode.Adaptive, (await city.Get(Grains, city.Intersection.Id)).Intersection!.ActiveMode);

        var result = await Asset(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        Assert.Equal(UpsertOutcome.Updated, result.Outcome);
        Assert.Equal(AssetStatus.Offline, result.Asset!.Status);

        var intersection = await Eventually.Until(() => city.Get(Grains, city.Intersection.Id), a => a.Intersection!.ActiveMode == ControlMode.FixedTime);
        Assert.Equal(ControlMode.FixedTime, intersection.Intersection!.ActiveMode);
        Assert.Equal(AssetStatus.Degraded, intersection.Status);
        Assert.All(intersection.Intersection.Cameras, c => Assert.False(c.Online));
        foreach (var pole in city.Poles)
        {
            var p = await city.Get(Grains, pole.Id);
            Assert.False(p.Pole!.Connected);
            Assert.True(p.Pole.LampOn); // lamps keep their last schedule
            Assert.Equal(AssetStatus.Degraded, p.Status);
        }
        foreach (var camera in city.Cameras)
        {
            var c = await city.Get(Grains, camera.Id);
            Assert.False(c.Camera!.FeedOnline);
            Assert.Equal(AssetStatus.Offline, c.Status);
        }
        var district = await Eventually.Until(() => Grains.GetGrain<IDistrictGrain>(city.District).GetAsync(null, 0),
            v => v.Counts.Contains(new StatusCount(AssetType.Camera, AssetStatus.Offline, 2)) && v.Counts.Contains(new StatusCount(AssetType.Intersection, AssetStatus.Degraded, 1)));
        Assert.Contains(new StatusCount(AssetType.Pole, AssetStatus.Degraded, 2), district.Counts);
        Assert.Contains(new StatusCount(AssetType.Link, AssetStatus.Offline, 1), district.Counts);

        // And back.
        await Asset(city.Link.Id).SetLinkConditionAsync(LinkCondition.Up, null, null);
        intersection = await Eventually.Until(() => city.Get(Grains, city.Intersection.Id), a => a.Intersection!.ActiveMode == ControlMode.Adaptive);
        Assert.Equal(AssetStatus.Operational, intersection.Status);
        foreach (var asset in city.Dependents) Assert.Equal(AssetStatus.Operational, (await city.Get(Grains, asset.Id)).Status);
        district = await Eventually.Until(() => Grains.GetGrain<IDistrictGrain>(city.District).GetAsync(null, 0), v => v.Counts.All(c => c.Status == AssetStatus.Operational));
        Assert.All(district.Counts, c => Assert.Equal(AssetStatus.Operational, c.Status));
    }

    [Fact]
    public async Task A_link_down_raises_alarms_with_their_cause_chain_and_clears_them_when_it_is_restored()
    {
        var city = await TestCity.CreateAsync(Grains);
        var alarms = Grains.GetGrain<IAlarmGrain>(city.District);

        await Asset(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        var active = await Eventually.Until(() => alarms.ListAsync(new AlarmQuery(null, true, 100)), a => a.Length == 6);

        Assert.Equal(AlarmSeverity.Critical, active.Single(a => a.AssetId == city.Link.Id).Severity);
        var feedLost = active.Single(a => a.AssetId == city.Cameras[0].Id);
        Assert.Equal(AlarmKind.FeedLost, feedLost.Kind);
        Assert.Equal([$"{city.Cameras[0].Id}: feed lost", $"{city.Link.Id}: link down"], feedLost.Cause);
        var fallback = active.Single(a => a.AssetId == city.Intersection.Id);
        Assert.Equal(AlarmKind.AdaptiveFallback, fallback.Kind);
        Assert.Equal($"{city.Link.Id}: link down", fallback.Cause[^1]); // the root cause, two hops away
        Assert.Equal(2, active.Count(a => a.Kind == AlarmKind.CommsLoss));

        await Asset(city.Link.Id).SetLinkConditionAsync(LinkCondition.Up, null, null);
        active = await Eventually.Until(() => alarms.ListAsync(new AlarmQuery(null, true, 100)), a => a.Length == 0);
        Assert.Empty(active);
        var cleared = await alarms.ListAsync(new AlarmQuery(null, false, 100));
        Assert.Equal(6, cleared.Length);
        Assert.All(cleared, a => Assert.NotNull(a.ClearedAt));
    }

    [Fact]
    public async Task A_district_outage_darkens_poles_turns_cameras_off_and_signals_dark_and_restoration_brings_them_back()
    {
        var city = await TestCity.CreateAsync(Grains);
        var drawBefore = (await Eventually.Until(() => Grains.GetGrain<IDistrictGrain>(city.District).GetAsync(null, 0), v => v.PowerDrawKw >= 0.17)).PowerDrawKw; // both poles' changes reach the read model in their own time
        Assert.Equal(0.18, drawBefore); // two 90 W lamps at full

        var view = await Grains.GetGrain<IPowerGrain>(city.District).SetAsync(null, false);
        Assert.False(view!.On);

        var intersection = await Eventually.Until(() => city.Get(Grains, city.Intersection.Id), a => a.Intersection!.ActiveMode == ControlMode.Dark);
        Assert.Equal(AssetStatus.Offline, intersection.Status);
        foreach (var pole in city.Poles)
        {
            var p = await city.Get(Grains, pole.Id);
            Assert.False(p.Pole!.Powered);
            Assert.Equal(0, p.Pole.DrawW());
            Assert.Equal(AssetStatus.Offline, p.Status);
        }
        foreach (var camera in city.Cameras) Assert.False((await city.Get(Grains, camera.Id)).Camera!.FeedOnline);
        var district = await Eventually.Until(() => Grains.GetGrain<IDistrictGrain>(city.District).GetAsync(null, 0), v => v.PowerDrawKw == 0);
        Assert.Equal(0, district.PowerDrawKw);

        await Grains.GetGrain<IPowerGrain>(city.District).SetAsync(null, true);
        intersection = await Eventually.Until(() => city.Get(Grains, city.Intersection.Id), a => a.Intersection!.ActiveMode == ControlMode.Adaptive);
        Assert.Equal(AssetStatus.Operational, intersection.Status);
        foreach (var asset in city.Dependents) Assert.Equal(AssetStatus.Operational, (await city.Get(Grains, asset.Id)).Status);
        district = await Eventually.Until(() => Grains.GetGrain<IDistrictGrain>(city.District).GetAsync(null, 0), v => v.PowerDrawKw == drawBefore);
        Assert.Equal(drawBefore, district.PowerDrawKw);
    }

    [Fact]
    public async Task A_feeder_outage_reaches_only_the_assets_on_that_feeder()
    {
        var city = await TestCity.CreateAsync(Grains);
        Assert.Null(await Grains.GetGrain<IPowerGrain>(city.District).SetAsync("feeder-nowhere", false));

        await Grains.GetGrain<IPowerGrain>(city.District).SetAsync(city.Feeder1, false);

        foreach (var pole in city.Poles)
        {
            var p = await Eventually.Until(() => city.Get(Grains, pole.Id), a => !a.Pole!.Powered);
            Assert.Equal(AssetStatus.Offline, p.Status);
            Assert.Equal(city.Feeder1 + ": feeder outage", p.Upstream.PowerCause);
        }
        await Task.Delay(200);
        Assert.Equal(ControlMode.Adaptive, (await city.Get(Grains, city.Intersection.Id)).Intersection!.ActiveMode);
        foreach (var camera in city.Cameras) Assert.True((await city.Get(Grains, camera.Id)).Camera!.FeedOnline);
    }

    [Fact]
    public async Task A_controller_fault_sets_the_signals_flashing_and_recovery_returns_to_adaptive()
    {
        var city = await TestCity.CreateAsync(Grains);
        var faulted = await Asset(city.Intersection.Id).SetControllerFaultAsync(true);
        Assert.Equal(ControlMode.Flashing, faulted.Asset!.Intersection!.ActiveMode);
        Assert.Equal(AssetStatus.Faulted, faulted.Asset.Status);
        Assert.Equal(UpsertOutcome.Invalid, (await Asset(city.Poles[0].Id).SetControllerFaultAsync(true)).Outcome);

        var recovered = await Asset(city.Intersection.Id).SetControllerFaultAsync(false);
        Assert.Equal(ControlMode.Adaptive, recovered.Asset!.Intersection!.ActiveMode);
        Assert.Equal(AssetStatus.Operational, recovered.Asset.Status);
    }

    [Fact]
    public async Task Adaptive_control_gives_the_busier_approach_the_longer_green()
    {
        var city = await TestCity.CreateAsync(Grains);
        var north = city.Cameras.Single(c => c.Camera!.Approach == Approach.North);
        var east = city.Cameras.Single(c => c.Camera!.Approach == Approach.East);
        await Asset(north.Id).ApplyTelemetryAsync(new Telemetry { VehicleCount = 20 }); // 1,200 veh/h
        await Asset(east.Id).ApplyTelemetryAsync(new Telemetry { VehicleCount = 5 });   //   300 veh/h

        // Both reports must be in: with the north one alone, east gets its minimum green.
        var intersection = await Eventually.Until(() => city.Get(Grains, city.Intersection.Id),
            a => a.Intersection!.Cameras.Sum(c => c.VehicleCount) == 25 && a.Intersection.ActivePlan is not null);
        var plan = intersection.Intersection!.ActivePlan!;
        // 82 s of effective green shared 1,200 : 300.
        Assert.Equal(65.6, plan.Phases[0].GreenSeconds);
        Assert.Equal(16.4, plan.Phases[1].GreenSeconds);
        Assert.Equal(90, plan.CycleSeconds);
    }

    [Fact]
    public async Task Replayed_and_late_link_signals_change_nothing()
    {
        var city = await TestCity.CreateAsync(Grains);
        var pole = Asset(city.Poles[0].Id);
        await Asset(city.Link.Id).SetLinkConditionAsync(LinkCondition.Down, null, null);
        var down = await Eventually.Until(() => pole.GetAsync(), a => !a!.Pole!.Connected);
        var sequence = down!.Upstream.BackhaulSequence;

        // The same signal again, and an older "up" that arrives late: both are ignored.
        await pole.OnBackhaulAsync(new LinkSignal(city.Link.Id, LinkCondition.Down, sequence, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
        await pole.OnBackhaulAsync(new LinkSignal(city.Link.Id, LinkCondition.Up, sequence - 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
        // A signal of a link the pole does not depend on is ignored too.
        await pole.OnBackhaulAsync(new LinkSignal("leo-elsewhere", LinkCondition.Up, sequence + 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));

        var after = (await pole.GetAsync())!;
        Assert.False(after.Pole!.Connected);
        Assert.Equal(down, after);
    }

    [Fact]
    public async Task Replayed_power_signals_change_nothing_and_an_old_one_does_not_restore_power()
    {
        var city = await TestCity.CreateAsync(Grains);
        var pole = Asset(city.Poles[0].Id);
        var off = await Grains.GetGrain<IPowerGrain>(city.District).SetAsync(null, false);
        var dark = await Eventually.Until(() => pole.GetAsync(), a => !a!.Pole!.Powered);

        await pole.OnPowerAsync(new PowerSignal(false, "again", off!.Version, DateTimeOffset.UnixEpoch));
        await pole.OnPowerAsync(new PowerSignal(true, null, off.Version - 1, DateTimeOffset.UnixEpoch));

        Assert.Equal(dark, await pole.GetAsync());
    }

    [Fact]
    public async Task Camera_reports_out_of_order_leave_the_intersection_on_the_newest()
    {
        var city = await TestCity.CreateAsync(Grains);
        var camera = city.Cameras[0];
        var stream = fixture.Client.GetStreamProvider(TwinStreams.Provider).GetStream<CameraReport>(StreamId.Create(TwinStreams.Detections, city.Intersection.Id));
        var current = (await city.Get(Grains, city.Intersection.Id)).Intersection!.Cameras.Single(c => c.CameraId == camera.Id);

        var newer = current with { Online = false, Sequence = current.Sequence + 10, Cause = ["newest"] };
        var older = current with { Online = true, VehicleCount = 99, Sequence = current.Sequence + 5 };
        await stream.OnNextAsync(new CameraReport(newer, false, null, DateTimeOffset.UnixEpoch));
        await stream.OnNextAsync(new CameraReport(older, false, null, DateTimeOffset.UnixEpoch));
        await stream.OnNextAsync(new CameraReport(newer, false, null, DateTimeOffset.UnixEpoch)); // and a duplicate

        var feed = await Eventually.Until(() => city.Get(Grains, city.Intersection.Id),
            a => a.Intersection!.Cameras.Single(c => c.CameraId == camera.Id).Sequence == newer.Sequence);
        await Task.Delay(200); // give the late one every chance to land
        feed = await city.Get(Grains, city.Intersection.Id);
        var kept = feed.Intersection!.Cameras.Single(c => c.CameraId == camera.Id);
        Assert.Equal((newer.Sequence, newer.Online, newer.VehicleCount), (kept.Sequence, kept.Online, kept.VehicleCount));
        Assert.Equal(newer.Cause, kept.Cause);
    }

    [Fact]
    public async Task Repeating_a_condition_raises_one_alarm_and_an_operator_acknowledges_it()
    {
        var city = await TestCity.CreateAsync(Grains);
        var alarms = Grains.GetGrain<IAlarmGrain>(city.District);
        await Asset(city.Intersection.Id).SetControllerFaultAsync(true);
        var raised = (await Eventually.Until(() => alarms.ListAsync(new AlarmQuery(AlarmSeverity.Critical, true, 10)), a => a.Length == 1)).Single();
        Assert.Equal(AlarmKind.ControllerFault, raised.Kind);

        // The controller keeps reporting its state: same condition, same alarm.
        await Asset(city.Intersection.Id).ApplyTelemetryAsync(new Telemetry { FlowVehPerHour = 500 });
        await Asset(city.Intersection.Id).ApplyTelemetryAsync(new Telemetry { FlowVehPerHour = 600 });
        await Task.Delay(200);
        Assert.Equal(raised.Id, (await alarms.ListAsync(new AlarmQuery(AlarmSeverity.Critical, true, 10))).Single().Id);

        var acked = await alarms.AcknowledgeAsync(raised.Id, "ops-desk-3", "crew dispatched");
        Assert.Equal("ops-desk-3", acked!.AcknowledgedBy);
        Assert.NotNull(acked.AcknowledgedAt);
        Assert.Null(await alarms.AcknowledgeAsync($"alm-{city.District}-999999", "x", null));
        Assert.Equal(Alarm.DistrictOf(raised.Id), city.District);
    }

    [Fact]
    public async Task A_link_knows_its_dependents()
    {
        var city = await TestCity.CreateAsync(Grains);
        var page = await Grains.GetGrain<IBackhaulGrain>(city.Link.Id).GetDependentsAsync(null, 100);
        Assert.Equal(city.Dependents.Select(a => a.Id).Order(StringComparer.Ordinal), page.Items.Select(d => d.Id));
        Assert.Equal(AssetType.Intersection, page.Items.Single(d => d.Id == city.Intersection.Id).Type);
    }
}
