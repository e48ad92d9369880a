using CityTwin.Domain.Alarms;
using CityTwin.Domain.Cascades;

namespace CityTwin.Domain.Tests;

public sealed class TelemetryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_reading_of_another_type_is_refused_field_by_field()
    {
        var errors = TelemetryRules.Validate(AssetType.Camera, new Telemetry { DimLevel = 50, FrameRate = 25, LatencyMs = 40 }, Now);
        Assert.Equal([new ValidationError("dimLevel", "is a pole reading, not a camera one"), new ValidationError("latencyMs", "is a link reading, not a camera one")], errors);
    }

    [Fact]
    public void Timestamps_may_run_ahead_by_the_clock_skew_but_no_more()
    {
        Assert.Empty(TelemetryRules.Validate(AssetType.Pole, new Telemetry { Timestamp = Now + TelemetryRules.MaxClockSkew, LampOn = true }, Now));
        var error = Assert.Single(TelemetryRules.Validate(AssetType.Pole, new Telemetry { Timestamp = Now + TelemetryRules.MaxClockSkew + TimeSpan.FromSeconds(1), LampOn = true }, Now));
        Assert.Equal("timestamp", error.Field);
    }

    [Fact]
    public void Values_out_of_range_are_named_without_a_prefix()
    {
        Assert.Equal(["dimLevel", "illuminanceLevel"], TelemetryRules.Validate(AssetType.Pole, new Telemetry { DimLevel = 101, IlluminanceLevel = -0.1 }, Now).Select(e => e.Field));
        Assert.Equal(["queueLength", "flowVehPerHour"], TelemetryRules.Validate(AssetType.Intersection, new Telemetry { QueueLength = [1, 2], FlowVehPerHour = -5 }, Now).Select(e => e.Field));
        Assert.Equal(["elevationDeg", "packetLossPct"], TelemetryRules.Validate(AssetType.Link, new Telemetry { ElevationDeg = 91, PacketLossPct = double.NaN }, Now).Select(e => e.Field));
        Assert.Equal(["detectionConfidence", "vehicleCount"], TelemetryRules.Validate(AssetType.Camera, new Telemetry { VehicleCount = -1, DetectionConfidence = 2 }, Now).Select(e => e.Field));
    }

    [Fact]
    public void Applying_a_reading_changes_only_the_fields_it_carries()
    {
        var pole = Build.Pole() with { Version = 7, Pole = new PoleState { LampOn = true, DimLevel = 100, RatedPowerW = 80, PowerW = 80, EnergyKWh = 12.5, IlluminanceLevel = 1 } };
        var at = Now.AddSeconds(-10);

        var applied = TelemetryRules.Apply(pole, new Telemetry { Timestamp = at, DimLevel = 50, PowerW = 40 }, Now);

        Assert.Equal(pole.Pole with { DimLevel = 50, PowerW = 40 }, applied.Pole);
        Assert.Equal(at, applied.TelemetryAt);
        Assert.Equal(7, applied.Version); // telemetry is not a configuration change
        Assert.True(applied.SameContentAs(pole with { Pole = pole.Pole with { DimLevel = 50, PowerW = 40 } }));
    }

    [Fact]
    public void A_reading_without_a_timestamp_is_stamped_with_the_twins_clock()
    {
        var applied = TelemetryRules.Apply(Build.Camera(), new Telemetry { VehicleCount = 12 }, Now);
        Assert.Equal(Now, applied.TelemetryAt);
        Assert.Equal(12, applied.Camera!.VehicleCount);
        Assert.Equal(0, applied.Camera.PedestrianCount);
    }

    [Fact]
    public void Intersection_readings_replace_the_per_approach_arrays()
    {
        var applied = TelemetryRules.Apply(Build.Intersection(), new Telemetry { QueueLength = [1, 2, 3, 4] }, Now);
        Assert.Equal([1, 2, 3, 4], applied.Intersection!.QueueLength);
        Assert.Equal([0, 0, 0, 0], applied.Intersection.DelaySeconds);
    }

    [Fact]
    public void Older_and_duplicate_readings_are_stale_newer_ones_are_not()
    {
        var pole = Build.Pole() with { TelemetryAt = Now };
        Assert.True(TelemetryRules.IsStale(pole, new Telemetry { Timestamp = Now.AddMilliseconds(-1) }));
        Assert.True(TelemetryRules.IsStale(pole, new Telemetry { Timestamp = Now }));
        Assert.False(TelemetryRules.IsStale(pole, new Telemetry { Timestamp = Now.AddMilliseconds(1) }));
        Assert.False(TelemetryRules.IsStale(pole, new Telemetry()));
        Assert.False(TelemetryRules.IsStale(Build.Pole(), new Telemetry { Timestamp = Now }));
    }

    [Fact]
    public void A_link_counts_a_handover_each_time_its_satellite_changes()
    {
        var link = Build.Link() with { Link = new LinkState { SatelliteId = null } };
        link = TelemetryRules.Apply(link, new Telemetry { SatelliteId = "sat-1" }, Now); // first fix: not a handover
        Assert.Equal(0, link.Link!.Handovers);
        link = TelemetryRules.Apply(link, new Telemetry { SatelliteId = "sat-2", LatencyMs = 80 }, Now);
        link = TelemetryRules.Apply(link, new Telemetry { SatelliteId = "sat-2", LatencyMs = 45 }, Now);
        link = TelemetryRules.Apply(link, new Telemetry { LatencyMs = 44 }, Now);
        link = TelemetryRules.Apply(link, new Telemetry { SatelliteId = "sat-3" }, Now);

        Assert.Equal(2, link.Link!.Handovers);
        Assert.Equal("sat-3", link.Link.SatelliteId);
        Assert.Equal(44, link.Link.LatencyMs);
    }

    [Fact]
    public void Overlay_takes_the_newer_readings_and_keeps_the_grains_own_state()
    {
        // The grain's copy: a command made it maintenance and cut its power since; its readings are older.
        var grain = CascadeRules.Derive(Build.Pole() with { OperatorStatus = AssetStatus.Maintenance, TelemetryAt = Now, Upstream = Upstream.Normal with { Powered = false } });
        var live = TelemetryRules.Apply(Build.Pole(), new Telemetry { DimLevel = 40, EnergyKWh = 9, Timestamp = Now.AddSeconds(5) }, Now);

        var joined = TelemetryRules.Overlay(grain, live);

        Assert.Equal(40, joined.Pole!.DimLevel);
        Assert.Equal(9, joined.Pole.EnergyKWh);
        Assert.Equal(Now.AddSeconds(5), joined.TelemetryAt);
        Assert.False(joined.Pole.Powered); // derived from the grain's upstream, not the district's copy
        Assert.Equal(AssetStatus.Maintenance, joined.Status);
    }

    [Fact]
    public void Overlay_never_takes_older_or_equally_old_readings()
    {
        var grain = TelemetryRules.Apply(Build.Link(), new Telemetry { LatencyMs = 80, Timestamp = Now }, Now);
        var older = TelemetryRules.Apply(Build.Link(), new Telemetry { LatencyMs = 30, Timestamp = Now.AddSeconds(-1) }, Now);
        var same = TelemetryRules.Apply(Build.Link(), new Telemetry { LatencyMs = 30, Timestamp = Now }, Now);

        Assert.Same(grain, TelemetryRules.Overlay(grain, older));
        Assert.Same(grain, TelemetryRules.Overlay(grain, same));
        Assert.Same(grain, TelemetryRules.Overlay(grain, (Asset?)null));
        Assert.Same(grain, TelemetryRules.Overlay(grain, Build.Pole() with { TelemetryAt = Now.AddDays(1) })); // another type
    }

    private static Asset Watched(params CameraFeed[] feeds) => CascadeRules.Derive(Build.Intersection() with { Intersection = new IntersectionState { Cameras = feeds } });

    [Fact]
    public void A_count_is_taken_only_from_an_online_camera_of_the_intersection_and_only_when_newer_and_different()
    {
        var north = new CameraFeed { CameraId = "cam-n", Approach = Approach.North, VehicleCount = 10, CountAt = Now };
        var east = new CameraFeed { CameraId = "cam-e", Approach = Approach.East, Online = false, VehicleCount = 3, CountAt = Now };
        var intersection = Watched(north, east);

        var counted = TelemetryRules.Counted(intersection, "cam-n", 20, Now.AddSeconds(1));
        Assert.Equal((20, Now.AddSeconds(1)), (counted.Intersection!.Cameras[0].VehicleCount, counted.Intersection.Cameras[0].CountAt));
        Assert.Equal(10, intersection.Intersection!.Cameras[0].VehicleCount); // the original is untouched

        Assert.Same(intersection, TelemetryRules.Counted(intersection, "cam-n", 20, Now));                // not newer
        Assert.Same(intersection, TelemetryRules.Counted(intersection, "cam-n", 20, Now.AddSeconds(-1))); // older
        Assert.Same(intersection, TelemetryRules.Counted(intersection, "cam-n", 10, Now.AddSeconds(1)));  // the same count
        Assert.Same(intersection, TelemetryRules.Counted(intersection, "cam-e", 30, Now.AddSeconds(1)));  // its feed is lost
        Assert.Same(intersection, TelemetryRules.Counted(intersection, "cam-x", 30, Now.AddSeconds(1)));  // not its camera
    }

    [Fact]
    public void Overlay_takes_the_districts_newer_counts_and_retimes_but_keeps_the_grains_newer_ones()
    {
        var north = new CameraFeed { CameraId = "cam-n", Approach = Approach.North, VehicleCount = 5, CountAt = Now };
        var east = new CameraFeed { CameraId = "cam-e", Approach = Approach.East, VehicleCount = 5, CountAt = Now };
        // The grain heard since of the east camera (a newer report: its count, and the feed's sequence); the district
        // counted north anew, and east before that report.
        var grain = Watched(north, east with { VehicleCount = 7, CountAt = Now.AddSeconds(2), Sequence = 2 });
        var live = Watched(north with { VehicleCount = 20, CountAt = Now.AddSeconds(1) }, east with { VehicleCount = 9, CountAt = Now.AddSeconds(1) });

        var joined = TelemetryRules.Overlay(grain, live);

        Assert.Equal([20, 7], joined.Intersection!.Cameras.Select(c => c.VehicleCount));
        Assert.Equal(2, joined.Intersection.Cameras[1].Sequence);
        Assert.Equal(CascadeRules.Derive(TelemetryRules.Counted(grain, "cam-n", 20, Now.AddSeconds(1))).Intersection!.ActivePlan!.Phases.Select(p => p.GreenSeconds),
            joined.Intersection.ActivePlan!.Phases.Select(p => p.GreenSeconds));
        Assert.NotEqual(grain.Intersection!.ActivePlan!.Phases.Select(p => p.GreenSeconds), joined.Intersection.ActivePlan.Phases.Select(p => p.GreenSeconds));
        Assert.Same(joined, TelemetryRules.Overlay(joined, live)); // nothing newer left
    }

    [Fact]
    public void A_handover_counted_by_the_district_survives_the_overlay()
    {
        var link = TelemetryRules.Apply(Build.Link(), new Telemetry { SatelliteId = "sat-0002", Timestamp = Now }, Now);
        Assert.Equal(1, TelemetryRules.Overlay(Build.Link(), link).Link!.Handovers);
    }

    [Fact]
    public void Dim_levels_counts_and_latencies_do_not_change_behaviour_but_faults_and_feeds_do()
    {
        var pole = CascadeRules.Derive(Build.Pole());
        Assert.False(TelemetryRules.ChangesBehaviour(pole, CascadeRules.Derive(TelemetryRules.Apply(pole, new Telemetry { DimLevel = 20, PowerW = 12 }, Now))));
        Assert.True(TelemetryRules.ChangesBehaviour(pole, CascadeRules.Derive(TelemetryRules.Apply(pole, new Telemetry { LampFault = true }, Now))));

        var camera = CascadeRules.Derive(Build.Camera());
        Assert.False(TelemetryRules.ChangesBehaviour(camera, CascadeRules.Derive(TelemetryRules.Apply(camera, new Telemetry { VehicleCount = 42 }, Now))));
        Assert.True(TelemetryRules.ChangesBehaviour(camera, CascadeRules.Derive(TelemetryRules.Apply(camera, new Telemetry { FeedOnline = false }, Now))));

        var link = CascadeRules.Derive(Build.Link());
        Assert.False(TelemetryRules.ChangesBehaviour(link, CascadeRules.Derive(TelemetryRules.Apply(link, new Telemetry { LatencyMs = 900, PacketLossPct = 30 }, Now))));

        // A pole under maintenance raises no alarm and keeps its status: a fault is no news to its grain.
        var maintained = CascadeRules.Derive(Build.Pole() with { OperatorStatus = AssetStatus.Maintenance });
        Assert.False(TelemetryRules.ChangesBehaviour(maintained, CascadeRules.Derive(TelemetryRules.Apply(maintained, new Telemetry { LampFault = true }, Now))));
    }

    [Fact]
    public void The_shortcut_for_behaviour_agrees_with_comparing_status_feed_and_alarms()
    {
        var random = new Random(11);
        Asset[] assets =
        [
            Build.Pole(), Build.Pole() with { Upstream = Upstream.Normal with { Powered = false } }, Build.Pole() with { OperatorStatus = AssetStatus.Maintenance },
            Build.Camera(), Build.Camera() with { Upstream = Upstream.Normal with { Backhaul = LinkCondition.Down } }, Build.Intersection(), Build.Link(),
        ];
        for (var n = 0; n < 2_000; n++)
        {
            var before = CascadeRules.Derive(assets[random.Next(assets.Length)]);
            Telemetry reading = before.Type switch
            {
                AssetType.Pole => new Telemetry { DimLevel = random.Next(101), LampFault = random.Next(4) == 0, DriverFault = random.Next(4) == 0, LampOn = random.Next(2) == 0 },
                AssetType.Camera => new Telemetry { VehicleCount = random.Next(50), FeedOnline = random.Next(4) != 0 },
                AssetType.Intersection => new Telemetry { FlowVehPerHour = random.Next(1800) },
                _ => new Telemetry { LatencyMs = random.Next(900), PacketLossPct = random.Next(50) },
            };
            var after = CascadeRules.Derive(TelemetryRules.Apply(before, reading, Now));
            var full = before.Status != after.Status || before.Camera?.FeedOnline != after.Camera?.FeedOnline
                       || !AlarmRules.Same(AlarmRules.Evaluate(before), AlarmRules.Evaluate(after));
            Assert.Equal(full, TelemetryRules.ChangesBehaviour(before, after));
            assets[random.Next(assets.Length)] = after; // walk on from states readings made
        }
    }
}
