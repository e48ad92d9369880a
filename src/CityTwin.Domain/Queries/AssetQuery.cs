using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Queries;

/// <summary>
/// What an operations centre asks of the read model. Every part is optional and parts combine with AND; values within
/// one part (several types, several statuses, several districts) with OR. With <see cref="Near"/> results are ordered
/// by distance, otherwise by id; <see cref="After"/> is where the previous page ended.
/// </summary>
[GenerateSerializer, Immutable, Alias("AssetQuery")]
public sealed record AssetQuery
{
    [Id(0)] public AssetType[] Types { get; init; } = [];
    [Id(1)] public AssetStatus[] Statuses { get; init; } = [];
    [Id(2)] public string[] Districts { get; init; } = [];
    [Id(3)] public GeoBox? Box { get; init; }
    [Id(4)] public GeoPoint? Near { get; init; }
    [Id(5)] public double RadiusM { get; init; }
    [Id(6)] public AttributeFilter[] Filters { get; init; } = [];
    [Id(7)] public QueryCursor? After { get; init; }
    [Id(8)] public int Limit { get; init; } = 100;

    /// <summary>The area an asset must lie in, if any: the box, the circle's box, or both.</summary>
    public GeoBox? Area => Near is { } centre
        ? Box is { } box ? Intersect(box, GeoBox.Around(centre, RadiusM)) : GeoBox.Around(centre, RadiusM)
        : Box;

    /// <summary>
    /// Whether the asset matches, and its distance from <see cref="Near"/> (0 without one). <see cref="Districts"/> is
    /// not checked here: a district is a partition, and only the named partitions are asked.
    /// </summary>
    public bool Matches(in IndexedAsset asset, out double distanceM)
    {
        distanceM = 0;
        var s = asset.Summary;
        if (Types.Length > 0 && Array.IndexOf(Types, s.Type) < 0) return false;
        if (Statuses.Length > 0 && Array.IndexOf(Statuses, s.Status) < 0) return false;
        if (Box is { } box && !box.Contains(s.Location)) return false;
        if (Near is { } centre)
        {
            distanceM = centre.DistanceTo(s.Location);
            if (distanceM > RadiusM) return false;
        }
        foreach (var filter in Filters)
            if (!filter.Matches(s.Type, asset.Attributes)) return false;
        return true;
    }

    private static GeoBox Intersect(GeoBox a, GeoBox b) =>
        new(Math.Max(a.MinLon, b.MinLon), Math.Max(a.MinLat, b.MinLat), Math.Min(a.MaxLon, b.MaxLon), Math.Min(a.MaxLat, b.MaxLat));
}

/// <summary>Where a page ended: the last result's sort key (distance, then id; distance 0 when not sorting by it).</summary>
[GenerateSerializer, Immutable, Alias("QueryCursor")]
public readonly record struct QueryCursor([property: Id(0)] double DistanceM, [property: Id(1)] string Id) : IComparable<QueryCursor>
{
    public int CompareTo(QueryCursor other)
    {
        var byDistance = DistanceM.CompareTo(other.DistanceM);
        return byDistance != 0 ? byDistance : string.CompareOrdinal(Id, other.Id);
    }

    /// <summary>Opaque to clients: URL-safe base64 of "distance|id".</summary>
    public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            DistanceM.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "|" + Id))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static QueryCursor? Decode(string text)
    {
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var raw = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var bar = raw.IndexOf('|');
            if (bar <= 0 || !double.TryParse(raw[..bar], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
                || !double.IsFinite(d) || d < 0 || !Validation.Ids.IsValid(raw[(bar + 1)..])) return null;
            return new QueryCursor(d, raw[(bar + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>What the read model keeps of one asset.</summary>
public readonly record struct IndexedAsset(AssetSummary Summary, double[]? Attributes);

/// <summary>One result: the asset as the read model has it, and its distance when the query was <c>near</c> a point.</summary>
[GenerateSerializer, Immutable, Alias("AssetHit")]
public sealed record AssetHit(
    [property: Id(0)] AssetSummary Summary,
    [property: Id(1)] string District,
    [property: Id(2)] double[]? Attributes,
    [property: Id(3)] double DistanceM)
{
    public QueryCursor Key => new(DistanceM, Summary.Id);
}

/// <summary>Up to a page of hits from one partition, in order; <see cref="More"/>: the partition has further hits.</summary>
[GenerateSerializer, Immutable, Alias("PartitionPage")]
public sealed record PartitionPage([property: Id(0)] AssetHit[] Hits, [property: Id(1)] bool More);

/// <summary>A page of results across partitions; <see cref="Next"/> is null on the last page.</summary>
public sealed record QueryPage(IReadOnlyList<AssetHit> Hits, QueryCursor? Next);
