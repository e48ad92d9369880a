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
}
