using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Queries;

/// <summary>A lon/lat rectangle, as GeoJSON's bbox: west, south, east, north. Never crosses the antimeridian.</summary>
[GenerateSerializer, Immutable, Alias("GeoBox")]
public readonly record struct GeoBox(
    [property: Id(0)] double MinLon,
    [property: Id(1)] double MinLat,
    [property: Id(2)] double MaxLon,
    [property: Id(3)] double MaxLat)
{
    public bool Contains(GeoPoint p) => p.Lon >= MinLon && p.Lon <= MaxLon && p.Lat >= MinLat && p.Lat <= MaxLat;

    public bool Intersects(GeoBox other) =>
        other.MinLon <= MaxLon && other.MaxLon >= MinLon && other.MinLat <= MaxLat && other.MaxLat >= MinLat;

    /// <summary>Area in km² (equirectangular at the box's mid latitude: exact enough to enforce a limit).</summary>
    public double AreaKm2()
    {
        const double KmPerDegree = 111.195;
        var midLat = (MinLat + MaxLat) / 2 * Math.PI / 180;
        return (MaxLon - MinLon) * KmPerDegree * Math.Cos(midLat) * (MaxLat - MinLat) * KmPerDegree;
    }

    /// <summary>The smallest box holding every point within <paramref name="radiusM"/> of <paramref name="centre"/>.</summary>
    public static GeoBox Around(GeoPoint centre, double radiusM)
    {
        var ne = centre.Offset(radiusM, radiusM);
        var sw = centre.Offset(-radiusM, -radiusM);
        // Widen a little: the offset is equirectangular, the distance a great circle.
        var padLon = (ne.Lon - sw.Lon) * 0.01;
        var padLat = (ne.Lat - sw.Lat) * 0.01;
        return new(sw.Lon - padLon, sw.Lat - padLat, ne.Lon + padLon, ne.Lat + padLat);
    }

    /// <summary>The box grown to hold <paramref name="p"/>; <c>null</c> grows from nothing.</summary>
    public static GeoBox Grow(GeoBox? box, GeoPoint p) => box is not { } b
        ? new(p.Lon, p.Lat, p.Lon, p.Lat)
        : new(Math.Min(b.MinLon, p.Lon), Math.Min(b.MinLat, p.Lat), Math.Max(b.MaxLon, p.Lon), Math.Max(b.MaxLat, p.Lat));
}
