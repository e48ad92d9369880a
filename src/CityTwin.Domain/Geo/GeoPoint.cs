namespace CityTwin.Domain.Geo;

/// <summary>A WGS84 position, longitude first as in GeoJSON.</summary>
[GenerateSerializer, Immutable, Alias("GeoPoint")]
public readonly record struct GeoPoint([property: Id(0)] double Lon, [property: Id(1)] double Lat)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsValid => double.IsFinite(Lon) && double.IsFinite(Lat) && Lon is >= -180 and <= 180 && Lat is >= -90 and <= 90;

    private const double EarthRadiusM = 6_371_000;

    /// <summary>Great-circle distance (haversine) in metres.</summary>
    public double DistanceTo(GeoPoint other)
    {
        var dLat = ToRad(other.Lat - Lat);
        var dLon = ToRad(other.Lon - Lon);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
              + Math.Cos(ToRad(Lat)) * Math.Cos(ToRad(other.Lat)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>The point moved by metres east and north (equirectangular; fine at city scale).</summary>
    public GeoPoint Offset(double eastM, double northM) =>
        new(Lon + eastM / (EarthRadiusM * Math.Cos(ToRad(Lat))) * 180 / Math.PI,
            Lat + northM / EarthRadiusM * 180 / Math.PI);

    private static double ToRad(double deg) => deg * Math.PI / 180;
}
