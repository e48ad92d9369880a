namespace CityTwin.Domain.Leo;

/// <summary>
/// A terminal's link budget reduced to margins (MODELS.md): margin = clear-sky margin at zenith − rain fade − elevation
/// loss, the elevation loss being the extra free-space loss of the slant range over the zenith range, 20 log₁₀(d / h).
/// Below 0 dB the link is down; below <see cref="DegradedBelowMarginDb"/> it is degraded. Throughput follows the
/// Shannon capacity of the remaining SNR relative to clear sky at zenith (adaptive coding and modulation).
/// Latency is the bent pipe: four slant legs (terminal → satellite → gateway and back) plus the ground segment.
/// </summary>
public sealed record LinkBudget
{
    public double FrequencyGHz { get; init; } = 12;
    public double ClearSkyMarginDb { get; init; } = 12;
    /// <summary>SNR needed by the most robust coding; SNR = required + margin.</summary>
    public double RequiredSnrDb { get; init; } = 2;
    public double DegradedBelowMarginDb { get; init; } = 3;
    public double NominalThroughputMbps { get; init; } = 150;
    public double GroundSegmentRoundTripMs { get; init; } = 30;
    /// <summary>Rain height h_R. 5 km reproduces MODELS.md's ≈ 11 dB at 25 mm/h, 12 GHz, 25°; ITU-R P.839 gives ≈ 3.4 km for Belgium.</summary>
    public double RainHeightKm { get; init; } = 5;
    public double StationHeightKm { get; init; }

    public static LinkBudget Default { get; } = new();

    /// <summary>No satellite in view.</summary>
    public static LinkQuality Outage => new(LinkStatus.Down, double.NegativeInfinity, 0, 0, double.NaN);

    public LinkQuality Evaluate(double elevationDeg, double slantRangeKm, double altitudeKm, double rainRateMmPerHour = 0)
    {
        var fade = RainFade.AttenuationDb(rainRateMmPerHour, FrequencyGHz, Math.Max(5, elevationDeg), RainHeightKm, StationHeightKm);
        var elevationLoss = 20 * Math.Log10(slantRangeKm / altitudeKm);
        var margin = ClearSkyMarginDb - fade - elevationLoss;
        if (margin < 0) return new(LinkStatus.Down, margin, fade, 0, double.NaN);
        var throughput = NominalThroughputMbps * Capacity(RequiredSnrDb + margin) / Capacity(RequiredSnrDb + ClearSkyMarginDb);
        var rtt = 4 * Orbit.OneWayLatencyMs(slantRangeKm) + GroundSegmentRoundTripMs;
        return new(margin < DegradedBelowMarginDb ? LinkStatus.Degraded : LinkStatus.Up, margin, fade, throughput, rtt);
    }

    private static double Capacity(double snrDb) => Math.Log2(1 + Math.Pow(10, snrDb / 10));
}
