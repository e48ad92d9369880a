using CityTwin.Domain.Lighting;

namespace CityTwin.Domain.Tests.Lighting;

public sealed class StreetLightingTests
{
    private static readonly GeoPoint Brussels = new(4.35, 50.85);
    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(18.0, 70)]
    [InlineData(23.9, 70)]
    [InlineData(0.0, 50)]
    [InlineData(3.0, 50)]
    [InlineData(5.0, 70)]
    [InlineData(7.5, 70)]
    public void The_typical_profile_dims_30_then_50_then_30_percent(double hour, double output)
    {
        Assert.Equal(output, DimmingProfile.Typical.OutputPercent(hour, 100, junction: false));
        Assert.Equal(100, DimmingProfile.Typical.OutputPercent(hour, 100, junction: true)); // junctions never dimmed
    }

    [Fact]
    public void A_profile_without_levels_keeps_each_poles_own()
    {
        Assert.Equal(60, DimmingProfile.OwnLevels.OutputPercent(22, 60, junction: false));
        var afterMidnight = new DimmingProfile { Steps = [new(0, 60)] };
        Assert.Equal(80, afterMidnight.OutputPercent(22, 80, false));
        Assert.Equal(60, afterMidnight.OutputPercent(1, 80, false));
    }

    [Fact]
    public void A_winter_night_in_Brussels_burns_the_hours_from_sunset_to_sunrise()
    {
        // 2024-12-21 12:00 UTC to 12-22 12:00 UTC: lit from sunset (≈ 15:40 UTC) to sunrise (≈ 07:45 UTC).
        var from = new DateTimeOffset(2024, 12, 21, 12, 0, 0, TimeSpan.Zero);
        var to = from.AddDays(1);
        var set = SolarPosition.Times(Brussels, new DateOnly(2024, 12, 21)).Set!.Value;
        var rise = SolarPosition.Times(Brussels, new DateOnly(2024, 12, 22)).Rise!.Value;
        var night = (rise - set).TotalHours;
        Assert.InRange(night, 16.0, 16.2);

        Assert.Equal(100 * night / 1_000, StreetLighting.EnergyKWh(Brussels, Cet, from, to, 100, 100, false, DimmingProfile.OwnLevels), 6);
        // Typical profile, by hand: 70 W until local midnight (23:00 UTC), 50 W until 05:00 local (04:00 UTC), 70 W until sunrise.
        var byHand = (70 * (new DateTimeOffset(2024, 12, 21, 23, 0, 0, TimeSpan.Zero) - set).TotalHours + 50 * 5
            + 70 * (rise - new DateTimeOffset(2024, 12, 22, 4, 0, 0, TimeSpan.Zero)).TotalHours) / 1_000;
        var dimmed = StreetLighting.EnergyKWh(Brussels, Cet, from, to, 100, 100, false, DimmingProfile.Typical);
        Assert.Equal(byHand, dimmed, 6);
        Assert.InRange(1 - dimmed / (100 * night / 1_000), 0.30, 0.40); // ≈ 36 % saved on a long night
        // A junction pole burns the full 100 W all night whatever the profile.
        Assert.Equal(100 * night / 1_000, StreetLighting.EnergyKWh(Brussels, Cet, from, to, 100, 100, true, DimmingProfile.Typical), 6);
    }

    [Fact]
    public void Nothing_burns_in_daylight_and_power_is_linear_in_the_output()
    {
        var noon = new DateTimeOffset(2024, 6, 21, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(0, StreetLighting.EnergyKWh(Brussels, Cet, noon, noon.AddHours(4), 100, 100, false, DimmingProfile.OwnLevels));
        Assert.Equal(45, StreetLighting.PowerW(90, 50));
        Assert.Equal(0, StreetLighting.PowerW(90, -5));
    }
}
