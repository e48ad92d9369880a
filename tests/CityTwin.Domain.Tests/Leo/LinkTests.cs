using CityTwin.Domain.Leo;

namespace CityTwin.Domain.Tests.Leo;

public sealed class LinkTests
{
    private static readonly GeoPoint Brussels = new(4.35, 50.85);

    [Fact]
    public void Rain_at_25_mm_per_hour_12_GHz_25_degrees_fades_about_11_dB_before_path_reduction()
    {
        // γ = 0.01882 × 25^1.2168 = 0.9454 dB/km; L = 5 km / sin 25° = 11.83 km; γL = 11.2 dB.
        Assert.Equal(0.9454, RainFade.SpecificAttenuation(25, 12), 4);
        Assert.Equal(11.83, RainFade.SlantPathKm(25, 5), 2);
        Assert.Equal(11.2, RainFade.AttenuationDb(25, 12, 25, 5, pathReduction: false), 1);
        // P.618 reduction: L_G = 10.72 km, r = 1 / (1 + 0.78 √(10.72 × 0.9454 / 12) − 0.38) = 0.748 → 8.4 dB.
        Assert.Equal(0.748, RainFade.ReductionFactor(11.83, 25, 0.9454, 12), 3);
        Assert.Equal(8.4, RainFade.AttenuationDb(25, 12, 25, 5), 1);
    }

    [Fact]
    public void Rain_coefficients_are_the_tabled_ones_and_interpolated_between()
    {
        Assert.Equal((0.07504, 1.0995), RainFade.Coefficients(20));
        Assert.Equal((0.1864, 1.0202), RainFade.Coefficients(30));
        var (k, alpha) = RainFade.Coefficients(15);
        Assert.InRange(k, 0.01882, 0.07504);
        Assert.InRange(alpha, 1.0995, 1.2168);
        Assert.Equal(0, RainFade.AttenuationDb(0, 12, 40, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RainFade.Coefficients(6));
    }

    [Fact]
    public void Margin_decides_up_degraded_and_down_and_throughput_falls_with_it()
    {
        var budget = LinkBudget.Default; // 12 dB clear-sky margin at zenith, degraded below 3 dB
        var zenith = budget.Evaluate(90, 550, 550);
        Assert.Equal((LinkStatus.Up, 12.0, 150.0), (zenith.Status, zenith.MarginDb, zenith.ThroughputMbps));
        Assert.Equal(4 * 1.8346 + 30, zenith.RoundTripMs, 2);

        // At 25° the slant range costs 20 log₁₀(1,123.4 / 550) = 6.2 dB.
        var low = budget.Evaluate(25, Orbit.SlantRangeKm(25, 550), 550);
        Assert.Equal(12 - 6.2, low.MarginDb, 1);
        Assert.Equal(LinkStatus.Up, low.Status);
        Assert.True(low.ThroughputMbps < zenith.ThroughputMbps);

        var drizzle = budget.Evaluate(25, Orbit.SlantRangeKm(25, 550), 550, rainRateMmPerHour: 10);
        Assert.Equal(LinkStatus.Degraded, drizzle.Status);
        Assert.True(drizzle.ThroughputMbps < low.ThroughputMbps && drizzle.ThroughputMbps > 0);

        var storm = budget.Evaluate(25, Orbit.SlantRangeKm(25, 550), 550, rainRateMmPerHour: 25);
        Assert.Equal(LinkStatus.Down, storm.Status); // 5.8 − 8.4 dB < 0
        Assert.Equal(0, storm.ThroughputMbps);
        Assert.True(double.IsNaN(storm.RoundTripMs));
    }

    [Fact]
    public void A_Starlink_like_shell_always_serves_Brussels_above_25_degrees_handing_over_as_satellites_set()
    {
        var terminals = new[] { new GroundTerminal(Brussels), new GroundTerminal(Brussels.Offset(3_000, -2_000)) };
        var track = LinkTracker.Track(Constellation.StarlinkShell, terminals, new DateTimeOffset(2026, 3, 1, 17, 0, 0, TimeSpan.Zero), 240, 15);

        for (var t = 0; t < terminals.Length; t++)
        for (var s = 0; s < track.Steps; s++)
        {
            var (sat, elevation, range, _) = track.At(t, s);
            Assert.True(sat >= 0, $"outage at step {s}");
            Assert.InRange(elevation, 25, 90);
            Assert.Equal(Orbit.SlantRangeKm(elevation, 550), range, 6);
        }
        var handovers = track.At(0, track.Steps - 1).Handovers;
        // A satellite stays above 25° for at most ≈ 270 s, so an hour needs at least 3,600 / 270 ≈ 13 handovers.
        Assert.InRange(handovers, 13, 240);
    }

    [Fact]
    public void A_sparse_shell_leaves_gaps_and_a_gap_is_a_real_one()
    {
        var shell = new Constellation(550, 53, 6, 4);
        var terminal = new GroundTerminal(Brussels);
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var track = LinkTracker.Track(shell, [terminal], start, 720, 10);
        var (x, y, z) = (new double[24], new double[24], new double[24]);
        int outages = 0, served = 0;
        for (var s = 0; s < track.Steps; s++)
        {
            var (sat, elevation, _, _) = track.At(0, s);
            shell.PositionsEcef(Constellation.SecondsSinceJ2000(start) + s * 10, x, y, z);
            var highest = Enumerable.Range(0, 24).Max(k => terminal.Look(x[k], y[k], z[k]).ElevationDeg);
            if (sat < 0) { outages++; Assert.True(highest < 25, $"step {s}: a satellite at {highest:0.0}° was missed"); }
            else { served++; Assert.Equal(terminal.Look(x[sat], y[sat], z[sat]).ElevationDeg, elevation, 9); }
        }
        Assert.True(outages > 0 && served > 0);
        Assert.Equal(LinkStatus.Down, track.Quality(0, Enumerable.Range(0, 720).First(s => track.At(0, s).Satellite < 0), LinkBudget.Default).Status);
    }
}
