using CityTwin.Domain.Lighting;

namespace CityTwin.Domain.Tests.Lighting;

public sealed class SolarPositionTests
{
    private static readonly GeoPoint Brussels = new(4.35, 50.85);
    private static readonly GeoPoint Tromso = new(18.96, 69.65);

    /// <summary>Published times for Brussels at the solstices (timeanddate.com, local time), here in UTC; within 2 minutes.</summary>
    [Theory]
    [InlineData("2024-06-21", "03:29", "20:00")] // 05:29 / 22:00 CEST
    [InlineData("2024-12-21", "07:44", "15:39")] // 08:44 / 16:39 CET
    [InlineData("2025-06-21", "03:29", "20:00")]
    [InlineData("2025-12-21", "07:44", "15:39")]
    public void Brussels_sunrise_and_sunset_match_published_times(string date, string rise, string set)
    {
        var times = SolarPosition.Times(Brussels, DateOnly.Parse(date));
        var day = DateTime.Parse(date);
        Assert.InRange((times.Rise!.Value.UtcDateTime - (day + TimeSpan.Parse(rise))).TotalMinutes, -2, 2);
        Assert.InRange((times.Set!.Value.UtcDateTime - (day + TimeSpan.Parse(set))).TotalMinutes, -2, 2);
        Assert.False(times.AlwaysUp || times.AlwaysDown);
    }

    /// <summary>
    /// Solar noon, halfway between rise and set, is 12:00 UTC − 4 min per degree east − the equation of time, whose
    /// extremes are well known: the sun is 16.4 min fast around 3 November and 14.2 min slow around 11 February.
    /// </summary>
    [Theory]
    [InlineData("2024-11-03", 16.4)]
    [InlineData("2025-02-11", -14.2)]
    public void Solar_noon_follows_the_equation_of_time(string date, double equationOfTimeMinutes)
    {
        var times = SolarPosition.Times(Brussels, DateOnly.Parse(date));
        var noon = times.Rise!.Value + (times.Set!.Value - times.Rise.Value) / 2;
        var expected = DateTime.Parse(date).AddMinutes(720 - 4 * 4.35 - equationOfTimeMinutes);
        Assert.InRange((noon.UtcDateTime - expected).TotalMinutes, -1, 1);
    }

    /// <summary>Day length from the declination alone (−23.44° at the December solstice) by the hour-angle formula.</summary>
    [Fact]
    public void The_winter_solstice_day_is_as_long_as_the_declination_says()
    {
        double Rad(double d) => d * Math.PI / 180;
        var cosH = (Math.Sin(Rad(-0.833)) - Math.Sin(Rad(50.85)) * Math.Sin(Rad(-23.44))) / (Math.Cos(Rad(50.85)) * Math.Cos(Rad(-23.44)));
        var dayMinutes = 8 * Math.Acos(cosH) * 180 / Math.PI;
        var times = SolarPosition.Times(Brussels, new DateOnly(2024, 12, 21));
        Assert.Equal(dayMinutes, (times.Set!.Value - times.Rise!.Value).TotalMinutes, 0);
    }

    [Fact]
    public void Civil_dusk_comes_about_three_quarters_of_an_hour_after_sunset_at_midsummer()
    {
        // Published civil twilight end, Brussels 2024-06-21: 22:47 CEST = 20:47 UTC.
        var dusk = SolarPosition.Times(Brussels, new DateOnly(2024, 6, 21), SolarPosition.CivilTwilightAltitudeDeg).Set!.Value;
        Assert.InRange((dusk.UtcDateTime - new DateTime(2024, 6, 21, 20, 47, 0)).TotalMinutes, -2, 2);
    }

    [Fact]
    public void Beyond_the_polar_circle_the_sun_neither_sets_at_midsummer_nor_rises_at_midwinter()
    {
        var summer = SolarPosition.Times(Tromso, new DateOnly(2024, 6, 21));
        Assert.Equal((null, null, true, false), (summer.Rise, summer.Set, summer.AlwaysUp, summer.AlwaysDown));
        var winter = SolarPosition.Times(Tromso, new DateOnly(2024, 12, 21));
        Assert.Equal((null, null, false, true), (winter.Rise, winter.Set, winter.AlwaysUp, winter.AlwaysDown));

        Assert.False(StreetLighting.LampsOn(Tromso, new DateTimeOffset(2024, 6, 21, 23, 0, 0, TimeSpan.Zero)));
        Assert.True(StreetLighting.LampsOn(Tromso, new DateTimeOffset(2024, 12, 21, 11, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void The_elevation_is_zero_point_eight_below_the_horizon_at_the_computed_sunset()
    {
        var set = SolarPosition.Times(Brussels, new DateOnly(2026, 11, 5)).Set!.Value;
        Assert.Equal(-0.833, SolarPosition.ElevationDeg(Brussels, set), 1);
        // And near 62° at the June solstice noon: 90 − 50.85 + 23.44 = 62.6°.
        Assert.Equal(62.6, SolarPosition.ElevationDeg(Brussels, new DateTimeOffset(2024, 6, 21, 11, 44, 0, TimeSpan.Zero)), 0);
    }
}
