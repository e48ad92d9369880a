using CityTwin.Domain.Leo;

namespace CityTwin.Domain.Tests.Leo;

/// <summary>Geometry at h = 550 km worked by hand in MODELS.md.</summary>
public sealed class OrbitTests
{
    [Fact]
    public void The_period_at_550_km_is_95_5_minutes()
    {
        // a = 6,921 km: T = 2π √(6,921³ / 398,600.4418) = 5,730 s.
        Assert.Equal(95.5, Orbit.PeriodSeconds(550) / 60, 1);
    }

    [Fact]
    public void Overhead_the_satellite_is_550_km_and_1_83_ms_away()
    {
        Assert.Equal(550, Orbit.SlantRangeKm(90, 550), 9);
        Assert.Equal(1.83, Orbit.OneWayLatencyMs(550), 2);
    }

    [Fact]
    public void At_25_degrees_it_is_1123_km_and_3_75_ms_away()
    {
        // √(6,921² − (6,371 cos 25°)²) − 6,371 sin 25° = √(47,900,241 − 33,339,337) − 2,692.5 = 3,815.9 − 2,692.5 = 1,123.4 km.
        Assert.Equal(1_123, Orbit.SlantRangeKm(25, 550), 0);
        Assert.Equal(3.75, Orbit.OneWayLatencyMs(Orbit.SlantRangeKm(25, 550)), 2);
    }

    [Fact]
    public void The_longest_pass_above_25_degrees_is_about_270_s()
    {
        // λ = acos(6,371 cos 25° / 6,921) − 25° = 33.46° − 25° = 8.46°: footprint radius 940 km, pass (λ/π) T = 269 s.
        Assert.Equal(8.46, Orbit.EarthCentralAngle(25, 550) * 180 / Math.PI, 2);
        Assert.InRange(Orbit.EarthRadiusKm * Orbit.EarthCentralAngle(25, 550), 939, 942);
        Assert.InRange(Orbit.LongestPassSeconds(25, 550), 265, 275);
    }

    [Fact]
    public void Free_space_path_loss_at_12_GHz()
    {
        Assert.Equal(168.8, Orbit.FreeSpacePathLossDb(550, 12), 1);
        Assert.Equal(175.0, Orbit.FreeSpacePathLossDb(Orbit.SlantRangeKm(25, 550), 12), 1);
    }

    [Fact]
    public void A_satellite_passing_overhead_sweeps_0_79_degrees_a_second()
    {
        // Put the terminal right under the satellite at some instant, then look again a second later.
        var shell = new Constellation(550, 53, 1, 1);
        var (x, y, z) = (new double[1], new double[1], new double[1]);
        const double t = 1_000;
        shell.PositionsEcef(t, x, y, z);
        var below = new GeoPoint(Math.Atan2(y[0], x[0]) * 180 / Math.PI, Math.Asin(z[0] / 6_921) * 180 / Math.PI);
        var terminal = new GroundTerminal(below);
        var (e0, r0) = terminal.Look(x[0], y[0], z[0]);
        shell.PositionsEcef(t + 1, x, y, z);
        var (e1, _) = terminal.Look(x[0], y[0], z[0]);

        Assert.Equal(90, e0, 6);
        Assert.Equal(550, r0, 6);
        // v / h = 7.59 km/s / 550 km = 0.79°/s; Earth's rotation (0.46 km/s at the equator) takes up to 5 % off it
        // when the satellite heads east, as this one does at this instant (0.76°/s).
        Assert.InRange(90 - e1, 0.74, 0.80);
    }

    [Fact]
    public void Elevation_and_range_from_positions_agree_with_the_closed_form()
    {
        var shell = Constellation.StarlinkShell;
        var terminal = new GroundTerminal(new GeoPoint(4.35, 50.85));
        var n = shell.SatelliteCount;
        var (x, y, z) = (new double[n], new double[n], new double[n]);
        var checkedAny = 0;
        foreach (var t in new[] { 0.0, 1_234.5, 86_400 * 9_000.0 })
        {
            shell.PositionsEcef(t, x, y, z);
            for (var s = 0; s < n; s++)
            {
                Assert.Equal(6_921, Math.Sqrt(x[s] * x[s] + y[s] * y[s] + z[s] * z[s]), 6);
                Assert.InRange(Math.Asin(z[s] / 6_921) * 180 / Math.PI, -53.0001, 53.0001); // never beyond the inclination
                var (e, r) = terminal.Look(x[s], y[s], z[s]);
                if (e < 0) continue;
                Assert.Equal(Orbit.SlantRangeKm(e, 550), r, 6);
                checkedAny++;
            }
        }
        Assert.True(checkedAny > 30);
    }
}
