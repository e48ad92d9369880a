namespace CityTwin.Domain.Tests;

public sealed class GeoPointTests
{
    [Fact]
    public void One_degree_of_latitude_is_111_195_metres_on_a_6371_km_sphere()
    {
        Assert.Equal(111_194.93, new GeoPoint(0, 0).DistanceTo(new GeoPoint(0, 1)), 0.01);
        Assert.Equal(111_194.93, new GeoPoint(4.35, 50).DistanceTo(new GeoPoint(4.35, 51)), 0.01);
    }

    [Fact]
    public void London_to_Paris_is_about_344_km()
    {
        var london = new GeoPoint(-0.1278, 51.5074);
        var paris = new GeoPoint(2.3522, 48.8566);
        Assert.InRange(london.DistanceTo(paris), 343_000, 344_000);
        Assert.Equal(london.DistanceTo(paris), paris.DistanceTo(london));
        Assert.Equal(0, paris.DistanceTo(paris));
    }

    [Theory]
    [InlineData(250, 0)]
    [InlineData(0, -180)]
    [InlineData(300, 400)]
    public void Offset_moves_the_point_by_the_given_metres(double east, double north)
    {
        var origin = new GeoPoint(4.35, 50.85);
        var moved = origin.Offset(east, north);
        Assert.Equal(Math.Sqrt(east * east + north * north), origin.DistanceTo(moved), 0.05);
        Assert.Equal(Math.Sign(east), Math.Sign(moved.Lon - origin.Lon));
        Assert.Equal(Math.Sign(north), Math.Sign(moved.Lat - origin.Lat));
    }

    [Fact]
    public void Offset_there_and_back_returns_to_the_start()
    {
        var origin = new GeoPoint(4.35, 50.85);
        var back = origin.Offset(0, 500).Offset(0, -500).Offset(120, 0).Offset(-120, 0);
        Assert.Equal(0, origin.DistanceTo(back), 1e-6);
    }

    [Fact]
    public void Validity_is_the_WGS84_range()
    {
        Assert.True(new GeoPoint(-180, -90).IsValid);
        Assert.True(new GeoPoint(180, 90).IsValid);
        Assert.False(new GeoPoint(180.5, 0).IsValid);
        Assert.False(new GeoPoint(0, double.NaN).IsValid);
    }
}
