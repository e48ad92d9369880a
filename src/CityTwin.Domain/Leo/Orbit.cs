namespace CityTwin.Domain.Leo;

/// <summary>
/// Circular-orbit geometry on a spherical Earth (MODELS.md; Pratt &amp; Allnutt, Satellite Communications, ch. 2–3).
/// Precise enough for what-if runs; no SGP4 library is served here and none is needed for circular shells.
/// </summary>
public static class Orbit
{
    public const double EarthRadiusKm = 6_371;
    /// <summary>Earth's gravitational parameter μ, km³/s².</summary>
    public const double Mu = 398_600.4418;
    public const double SpeedOfLightKmPerSecond = 299_792.458;
    /// <summary>Sidereal rotation rate, rad/s.</summary>
    public const double EarthRotationRadPerSecond = 7.2921159e-5;

    /// <summary>T = 2π √(a³/μ), a = Rₑ + h.</summary>
    public static double PeriodSeconds(double altitudeKm)
    {
        var a = EarthRadiusKm + altitudeKm;
        return 2 * Math.PI * Math.Sqrt(a * a * a / Mu);
    }

    /// <summary>d = √((Rₑ + h)² − (Rₑ cos ε)²) − Rₑ sin ε.</summary>
    public static double SlantRangeKm(double elevationDeg, double altitudeKm)
    {
        var e = elevationDeg * Math.PI / 180;
        var a = EarthRadiusKm + altitudeKm;
        var c = EarthRadiusKm * Math.Cos(e);
        return Math.Sqrt(a * a - c * c) - EarthRadiusKm * Math.Sin(e);
    }

    /// <summary>Earth central angle λ = acos(Rₑ cos ε / (Rₑ + h)) − ε, radians: the footprint radius is Rₑ λ.</summary>
    public static double EarthCentralAngle(double minElevationDeg, double altitudeKm)
    {
        var e = minElevationDeg * Math.PI / 180;
        return Math.Acos(EarthRadiusKm * Math.Cos(e) / (EarthRadiusKm + altitudeKm)) - e;
    }

    /// <summary>The longest time a satellite stays above the minimum elevation (an overhead pass), ≈ (λ/π) T.</summary>
    public static double LongestPassSeconds(double minElevationDeg, double altitudeKm) =>
        EarthCentralAngle(minElevationDeg, altitudeKm) / Math.PI * PeriodSeconds(altitudeKm);

    public static double OneWayLatencyMs(double slantRangeKm) => slantRangeKm / SpeedOfLightKmPerSecond * 1_000;

    /// <summary>Free-space path loss, dB = 92.45 + 20 log₁₀ d[km] + 20 log₁₀ f[GHz].</summary>
    public static double FreeSpacePathLossDb(double slantRangeKm, double frequencyGHz) =>
        92.45 + 20 * Math.Log10(slantRangeKm) + 20 * Math.Log10(frequencyGHz);

    /// <summary>Greenwich mean sidereal angle (radians) of a UTC instant: where Earth's prime meridian points in the inertial frame.</summary>
    public static double GreenwichAngle(DateTimeOffset utc)
    {
        var days = (utc.UtcDateTime - new DateTime(2000, 1, 1, 12, 0, 0, DateTimeKind.Utc)).TotalDays;
        var degrees = 280.46061837 + 360.98564736629 * days;
        return (degrees % 360 + 360) % 360 * Math.PI / 180;
    }
}
