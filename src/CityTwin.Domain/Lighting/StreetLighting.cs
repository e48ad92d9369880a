using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Lighting;

/// <summary>
/// When street lights burn and what they draw. Lamps are on while the sun is below the sunrise altitude (a photocell
/// or astronomical clock at sunset and sunrise); a lit LED draws its rated power times its output fraction
/// (MODELS.md: roughly linear in the dim level). Local clock time is UTC plus a fixed offset.
/// </summary>
public static class StreetLighting
{
    public static bool LampsOn(GeoPoint location, DateTimeOffset utc) => SolarPosition.ElevationDeg(location, utc) < SolarPosition.SunriseAltitudeDeg;

    public static double PowerW(double ratedW, double outputPercent) => ratedW * Math.Clamp(outputPercent, 0, 100) / 100;

    /// <summary>
    /// Energy (kWh) of one pole from <paramref name="from"/> to <paramref name="to"/>, integrated exactly over the pieces
    /// between sunsets, sunrises and the profile's steps.
    /// </summary>
    public static double EnergyKWh(GeoPoint location, TimeSpan utcOffset, DateTimeOffset from, DateTimeOffset to,
        double ratedW, double ownLevelPercent, bool junction, DimmingProfile profile)
    {
        var cuts = Breakpoints(location, utcOffset, from, to, profile);
        double wattHours = 0;
        for (var k = 0; k + 1 < cuts.Count; k++)
        {
            var mid = cuts[k] + (cuts[k + 1] - cuts[k]) / 2;
            if (!LampsOn(location, mid)) continue;
            var output = profile.OutputPercent(LocalHour(mid, utcOffset), ownLevelPercent, junction);
            wattHours += PowerW(ratedW, output) * (cuts[k + 1] - cuts[k]).TotalHours;
        }
        return wattHours / 1_000;
    }

    public static double LocalHour(DateTimeOffset utc, TimeSpan utcOffset) => (utc.UtcDateTime + utcOffset).TimeOfDay.TotalHours;

    /// <summary>The instants in [from, to] where a lamp's state or level can change, in order, with both ends.</summary>
    internal static List<DateTimeOffset> Breakpoints(GeoPoint location, TimeSpan utcOffset, DateTimeOffset from, DateTimeOffset to, DimmingProfile profile)
    {
        var cuts = new List<DateTimeOffset> { from, to };
        for (var day = DateOnly.FromDateTime(from.UtcDateTime).AddDays(-1); day <= DateOnly.FromDateTime(to.UtcDateTime).AddDays(1); day = day.AddDays(1))
        {
            var sun = SolarPosition.Times(location, day);
            if (sun.Rise is { } rise) cuts.Add(rise);
            if (sun.Set is { } set) cuts.Add(set);
            var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - utcOffset;
            foreach (var step in profile.Steps) cuts.Add(midnight.AddHours(step.AtHour));
        }
        cuts.RemoveAll(c => c < from || c > to);
        cuts.Sort();
        return cuts;
    }
}
