using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Lighting;

/// <summary>
/// The sun's position by NOAA's solar calculator (the Meeus-based spreadsheet of NOAA's Global Monitoring Laboratory):
/// declination and equation of time from the Julian century, then hour angles. Good to about a minute for rise and
/// set between ±72° latitude; refraction is the standard 0.833° at the horizon, no terrain or height.
/// </summary>
public static class SolarPosition
{
    /// <summary>Sun's centre this far below the horizon at rise and set: 34′ refraction plus 16′ semi-diameter.</summary>
    public const double SunriseAltitudeDeg = -0.833;
    /// <summary>Civil twilight ends (dusk) and starts (dawn) at 6° below the horizon.</summary>
    public const double CivilTwilightAltitudeDeg = -6;

    private const double Rad = Math.PI / 180;

    /// <summary>The sun's altitude above the horizon, degrees (without refraction).</summary>
    public static double ElevationDeg(GeoPoint location, DateTimeOffset utc)
    {
        var (declination, equationOfTime) = Sun(utc);
        var minutes = utc.UtcDateTime.TimeOfDay.TotalMinutes;
        var trueSolarMinutes = minutes + equationOfTime + 4 * location.Lon;
        var hourAngle = trueSolarMinutes / 4 - 180;
        var lat = location.Lat * Rad;
        var cosZenith = Math.Sin(lat) * Math.Sin(declination) + Math.Cos(lat) * Math.Cos(declination) * Math.Cos(hourAngle * Rad);
        return 90 - Math.Acos(Math.Clamp(cosZenith, -1, 1)) / Rad;
    }

    /// <summary>Rise and set of the sun through <paramref name="altitudeDeg"/> on a UTC date (sunrise and sunset by default).</summary>
    public static SunTimes Times(GeoPoint location, DateOnly utcDate, double altitudeDeg = SunriseAltitudeDeg)
    {
        var midnight = new DateTimeOffset(utcDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // Solar noon first, then each event from the sun as it is at that event's own first estimate (two passes).
        var noon = 720 - 4 * location.Lon - Sun(midnight.AddMinutes(720 - 4 * location.Lon)).EquationOfTime;
        var rise = Event(location, midnight, noon, altitudeDeg, -1);
        var set = Event(location, midnight, noon, altitudeDeg, +1);
        if (rise is { } r && set is { } s) return new(midnight.AddMinutes(r), midnight.AddMinutes(s), false, false);
        // No crossing: up or down all day, judged at solar noon.
        var up = ElevationDeg(location, midnight.AddMinutes(noon)) > altitudeDeg;
        return new(null, null, up, !up);
    }

    private static double? Event(GeoPoint location, DateTimeOffset midnight, double noonMinutes, double altitudeDeg, int sign)
    {
        var minutes = noonMinutes;
        for (var pass = 0; pass < 3; pass++)
        {
            var (declination, equationOfTime) = Sun(midnight.AddMinutes(minutes));
            var lat = location.Lat * Rad;
            var cosH = (Math.Sin(altitudeDeg * Rad) - Math.Sin(lat) * Math.Sin(declination)) / (Math.Cos(lat) * Math.Cos(declination));
            if (cosH is < -1 or > 1) return null;
            var hourAngle = Math.Acos(cosH) / Rad;
            minutes = 720 - 4 * location.Lon - equationOfTime + sign * 4 * hourAngle;
        }
        return minutes;
    }

    /// <summary>Declination (radians) and equation of time (minutes) at an instant, NOAA's formulas.</summary>
    private static (double Declination, double EquationOfTime) Sun(DateTimeOffset utc)
    {
        var julianDay = utc.UtcDateTime.ToOADate() + 2_415_018.5;
        var t = (julianDay - 2_451_545) / 36_525; // Julian centuries since J2000
        var meanLongitude = (280.46646 + t * (36_000.76983 + t * 0.0003032)) % 360;
        var meanAnomaly = 357.52911 + t * (35_999.05029 - 0.0001537 * t);
        var eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
        var m = meanAnomaly * Rad;
        var centre = Math.Sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t)) + Math.Sin(2 * m) * (0.019993 - 0.000101 * t) + Math.Sin(3 * m) * 0.000289;
        var omega = (125.04 - 1_934.136 * t) * Rad;
        var apparentLongitude = (meanLongitude + centre - 0.00569 - 0.00478 * Math.Sin(omega)) * Rad;
        var meanObliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
        var obliquity = (meanObliquity + 0.00256 * Math.Cos(omega)) * Rad;
        var declination = Math.Asin(Math.Sin(obliquity) * Math.Sin(apparentLongitude));
        var y = Math.Tan(obliquity / 2) * Math.Tan(obliquity / 2);
        var l0 = meanLongitude * Rad;
        var equation = y * Math.Sin(2 * l0) - 2 * eccentricity * Math.Sin(m) + 4 * eccentricity * y * Math.Sin(m) * Math.Cos(2 * l0)
            - 0.5 * y * y * Math.Sin(4 * l0) - 1.25 * eccentricity * eccentricity * Math.Sin(2 * m);
        return (declination, 4 * equation / Rad);
    }
}
