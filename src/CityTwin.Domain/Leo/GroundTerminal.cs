using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Leo;

/// <summary>A ground terminal on the spherical Earth: its ECEF position (km) and local vertical.</summary>
public readonly record struct GroundTerminal
{
    public GroundTerminal(GeoPoint location, double heightKm = 0)
    {
        Location = location;
        var (sinLat, cosLat) = Math.SinCos(location.Lat * Math.PI / 180);
        var (sinLon, cosLon) = Math.SinCos(location.Lon * Math.PI / 180);
        (UpX, UpY, UpZ) = (cosLat * cosLon, cosLat * sinLon, sinLat);
        var r = Orbit.EarthRadiusKm + heightKm;
        (X, Y, Z) = (r * UpX, r * UpY, r * UpZ);
    }

    public GeoPoint Location { get; }
    public double X { get; }
    public double Y { get; }
    public double Z { get; }
    public double UpX { get; }
    public double UpY { get; }
    public double UpZ { get; }

    /// <summary>Elevation (degrees) and slant range (km) of a point given in ECEF km.</summary>
    public (double ElevationDeg, double RangeKm) Look(double x, double y, double z)
    {
        double dx = x - X, dy = y - Y, dz = z - Z;
        var range = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        var sinElevation = (dx * UpX + dy * UpY + dz * UpZ) / range;
        return (Math.Asin(Math.Clamp(sinElevation, -1, 1)) * 180 / Math.PI, range);
    }
}
