using System.Reflection;
using System.Text.Json;
using CityTwin.Grains.Districts;

namespace CityTwin.Grains.Tests;

/// <summary>The district keeps recent readings as values, not objects: what an asset's history shows must be what arrived.</summary>
public sealed class RecentReadingsTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 2, 13, 0, 0, TimeSpan.Zero);

    private static string Json(Telemetry t) => JsonSerializer.Serialize(t);

    /// <summary>A sample value for every kind of field Telemetry has; a new kind fails here until the ring keeps it.</summary>
    private static object Sample(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(bool) => true,
        var t when t == typeof(double) => 12.75,
        var t when t == typeof(int) => 7,
        var t when t == typeof(double[]) => new[] { 1.5, 0, 3, 4 },
        var t when t == typeof(string) => "sat-0042",
        var t when t == typeof(DateTimeOffset) => new DateTimeOffset(2026, 12, 2, 14, 59, 58, TimeSpan.FromHours(2)).AddTicks(1234),
        var t => throw new InvalidOperationException($"no sample for {t}"),
    };

    public static TheoryData<string> Fields() => [.. typeof(Telemetry).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Every_field_of_a_reading_comes_back_as_it_arrived(string field)
    {
        var reading = new Telemetry();
        var property = typeof(Telemetry).GetProperty(field)!;
        property.SetValue(reading, Sample(property.PropertyType));
        var ring = new RecentReadings(2);
        ring.Fit(1);

        ring.Add("pole-1", Received, reading);

        var kept = Assert.Single(ring.Of("pole-1", 10));
        Assert.Equal(Json(reading), Json(kept.Reading));
        Assert.Equal(Received, kept.ReceivedAt);
    }

    [Fact]
    public void Whole_readings_of_each_type_come_back_newest_first_and_the_ring_forgets_the_oldest()
    {
        var at = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        Telemetry[] readings =
        [
            new() { Timestamp = at, LampOn = true, DimLevel = 40, PowerW = 36.5, EnergyKWh = 1_234.25, IlluminanceLevel = 0.4, LampFault = false, DriverFault = true },
            new() { Timestamp = at.AddSeconds(1), FeedOnline = false, FrameRate = 25, VehicleCount = 12, PedestrianCount = 0, DetectionConfidence = 0.91 },
            new() { Timestamp = at.AddSeconds(2), FlowVehPerHour = 1_240, QueueLength = [3, 0, 7, 1], DelaySeconds = [12.5, 0, 40, 3] },
            new() { Timestamp = at.AddSeconds(3), QueueLength = [], DelaySeconds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, // too long for a slot: kept whole
            new() { Timestamp = at.AddSeconds(4), SatelliteId = "sat-0007", ElevationDeg = 41, SlantRangeKm = 812, LatencyMs = 38, ThroughputMbps = 220, PacketLossPct = 0.2, RainFadeDb = 1.5 },
            new() { LatencyMs = 44 },
        ];
        var ring = new RecentReadings(8);
        ring.Fit(1); // at least 64 members' room: 512 readings
        foreach (var r in readings) ring.Add("asset-1", Received, r);
        ring.Add("asset-2", Received, new Telemetry { DimLevel = 1 });

        Assert.Equal(readings.Reverse().Select(Json), ring.Of("asset-1", 10).Select(r => Json(r.Reading)));
        Assert.Equal(2, ring.Of("asset-1", 2).Length);

        for (var i = 0; i < 512; i++) ring.Add("asset-3", Received, new Telemetry { DimLevel = i % 101 });
        Assert.Empty(ring.Of("asset-1", 10));
        Assert.Equal(8, ring.Of("asset-3", 8).Length);
        Assert.Equal(511 % 101, ring.Of("asset-3", 1)[0].Reading.DimLevel);
    }

    [Fact]
    public void Growing_the_ring_keeps_what_it_held()
    {
        var ring = new RecentReadings(1);
        ring.Fit(1);
        for (var i = 0; i < 64; i++) ring.Add($"pole-{i}", Received, new Telemetry { DimLevel = i });

        ring.Fit(200);

        Assert.Equal(63, Assert.Single(ring.Of("pole-63", 5)).Reading.DimLevel);
        Assert.Equal(0, Assert.Single(ring.Of("pole-0", 5)).Reading.DimLevel);
        ring.Add("pole-0", Received, new Telemetry { DimLevel = 99 });
        Assert.Equal([99.0, 0.0], ring.Of("pole-0", 5).Select(r => r.Reading.DimLevel!.Value));
    }
}
