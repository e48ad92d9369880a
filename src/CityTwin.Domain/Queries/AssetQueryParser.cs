using System.Globalization;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Queries;

/// <summary>
/// Reads an asset query from a URL's query string: <c>type=</c>, <c>status=</c>, <c>district=</c> (comma-separated or
/// repeated), <c>bbox=minLon,minLat,maxLon,maxLat</c>, <c>near=lon,lat</c> with <c>radius=</c> metres, <c>limit=</c>,
/// <c>cursor=</c>, and any attribute condition written as it reads: <c>dimLevel&lt;50</c>, <c>latencyMs&gt;=80</c>,
/// <c>feedOnline=false</c>, <c>condition!=up</c>. Every term that breaks a rule is reported, naming it.
/// </summary>
public static class AssetQueryParser
{
    private static readonly string[] Operators = ["<=", ">=", "!=", "<", ">", "="];

    public static (AssetQuery? Query, List<ValidationError> Errors) Parse(string? rawQuery, QueryLimits limits)
    {
        var errors = new List<ValidationError>();
        var query = new AssetQuery { Limit = limits.DefaultPageSize };
        var types = new List<AssetType>();
        var statuses = new List<AssetStatus>();
        var districts = new List<string>();
        var filters = new List<AttributeFilter>();
        string? radiusText = null;

        foreach (var (name, op, value) in Terms(rawQuery))
        {
            var key = name.ToLowerInvariant();
            var known = key is "type" or "status" or "district" or "bbox" or "near" or "radius" or "limit" or "cursor";
            if (known && op != "=")
            {
                errors.Add(new(name, $"takes '=', not '{op}'"));
                continue;
            }
            switch (key)
            {
                case "type":
                    foreach (var v in List(value))
                        if (Enum.TryParse<AssetType>(v, true, out var t) && Enum.IsDefined(t) && !int.TryParse(v, out _)) types.Add(t);
                        else errors.Add(new("type", $"'{v}' is not one of {Names<AssetType>()}"));
                    break;
                case "status":
                    foreach (var v in List(value))
                        if (Enum.TryParse<AssetStatus>(v, true, out var s) && Enum.IsDefined(s) && !int.TryParse(v, out _)) statuses.Add(s);
                        else errors.Add(new("status", $"'{v}' is not one of {Names<AssetStatus>()}"));
                    break;
                case "district":
                    foreach (var v in List(value))
                        if (Ids.IsValid(v)) districts.Add(v);
                        else errors.Add(new("district", $"'{v}' is not a valid district id"));
                    break;
                case "bbox":
                    if (Numbers(value, 4) is not { } b) errors.Add(new("bbox", "must be minLon,minLat,maxLon,maxLat"));
                    else if (!new GeoPoint(b[0], b[1]).IsValid || !new GeoPoint(b[2], b[3]).IsValid)
                        errors.Add(new("bbox", "corners must be longitudes in [-180, 180] and latitudes in [-90, 90]"));
                    else if (b[0] >= b[2] || b[1] >= b[3]) errors.Add(new("bbox", "minLon must be below maxLon and minLat below maxLat"));
                    else if (new GeoBox(b[0], b[1], b[2], b[3]) is var box && box.AreaKm2() > limits.MaxBoxKm2)
                        errors.Add(new("bbox", $"covers {box.AreaKm2():N0} km²; at most {limits.MaxBoxKm2:N0} km² (use district= for larger areas)"));
                    else query = query with { Box = box };
                    break;
                case "near":
                    if (Numbers(value, 2) is not { } n || !new GeoPoint(n[0], n[1]).IsValid) errors.Add(new("near", "must be lon,lat with lon in [-180, 180] and lat in [-90, 90]"));
                    else query = query with { Near = new GeoPoint(n[0], n[1]) };
                    break;
                case "radius":
                    radiusText = value;
                    if (Number(value) is not { } r || r <= 0 || r > limits.MaxRadiusM) errors.Add(new("radius", $"must be metres in (0, {limits.MaxRadiusM:0}]"));
                    else query = query with { RadiusM = r };
                    break;
                case "limit":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > limits.MaxPageSize)
                        errors.Add(new("limit", $"must be a whole number in [1, {limits.MaxPageSize}]"));
                    else query = query with { Limit = limit };
                    break;
                case "cursor":
                    if (QueryCursor.Decode(value) is { } cursor) query = query with { After = cursor };
                    else errors.Add(new("cursor", "is not a cursor this API returned"));
                    break;
                default:
                    if (Filter(name, op, value, errors) is { } filter) filters.Add(filter);
                    break;
            }
        }

        if (query.Near is not null && radiusText is null) errors.Add(new("radius", "is required with near (metres)"));
        if (query.Near is null && radiusText is not null) errors.Add(new("near", "is required with radius"));
        if (query.After is { DistanceM: > 0 } && query.Near is null) errors.Add(new("cursor", "belongs to a query near a point"));
        if (errors.Count > 0) return (null, errors);
        return (query with { Types = [.. types.Distinct()], Statuses = [.. statuses.Distinct()], Districts = [.. districts.Distinct()], Filters = [.. filters] }, errors);
    }

    private static AttributeFilter? Filter(string name, string op, string value, List<ValidationError> errors)
    {
        var attribute = AssetAttributes.Named(name).FirstOrDefault();
        if (attribute is null)
        {
            errors.Add(new(name, $"is neither a query parameter (type, status, district, bbox, near, radius, limit, cursor) nor an attribute ({string.Join(", ", AssetAttributes.Names)})"));
            return null;
        }
        var filterOp = op switch
        {
            "<=" => FilterOp.LessOrEqual,
            ">=" => FilterOp.GreaterOrEqual,
            "!=" => FilterOp.NotEqual,
            "<" => FilterOp.Less,
            ">" => FilterOp.Greater,
            _ => FilterOp.Equal,
        };
        switch (attribute.Kind)
        {
            case AttributeKind.Boolean:
                if (filterOp is not (FilterOp.Equal or FilterOp.NotEqual)) { errors.Add(new(attribute.Name, "is true or false: compare it with = or !=")); return null; }
                if (!bool.TryParse(value, out var flag)) { errors.Add(new(attribute.Name, "must be true or false")); return null; }
                return new AttributeFilter(attribute.Name, filterOp, flag ? 1 : 0);
            case AttributeKind.Enum:
                if (filterOp is not (FilterOp.Equal or FilterOp.NotEqual)) { errors.Add(new(attribute.Name, "compare it with = or !=")); return null; }
                var at = Array.FindIndex(attribute.EnumNames, n => string.Equals(n, value, StringComparison.OrdinalIgnoreCase));
                if (at < 0) { errors.Add(new(attribute.Name, $"must be one of {string.Join(", ", attribute.EnumNames)}")); return null; }
                return new AttributeFilter(attribute.Name, filterOp, at);
            default:
                if (Number(value) is not { } number) { errors.Add(new(attribute.Name, "must be compared with a number")); return null; }
                return new AttributeFilter(attribute.Name, filterOp, number);
        }
    }

    /// <summary>The query string's terms as (name, operator, value), URL-decoded.</summary>
    private static IEnumerable<(string Name, string Op, string Value)> Terms(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery)) yield break;
        foreach (var part in rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var term = Uri.UnescapeDataString(part.Replace('+', ' '));
            var (at, op) = (-1, "=");
            foreach (var candidate in Operators)
            {
                var i = term.IndexOf(candidate, StringComparison.Ordinal);
                if (i > 0 && (at < 0 || i < at || i == at && candidate.Length > op.Length)) (at, op) = (i, candidate);
            }
            if (at < 0) yield return (term, "=", "");
            else yield return (term[..at].Trim(), op, term[(at + op.Length)..].Trim());
        }
    }

    private static IEnumerable<string> List(string value) => value.Split(',', StringSplitOptions.TrimEntries);

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    private static double[]? Numbers(string text, int count)
    {
        var parts = text.Split(',');
        if (parts.Length != count) return null;
        var values = new double[count];
        for (var i = 0; i < count; i++)
            if (Number(parts[i]) is { } d) values[i] = d;
            else return null;
        return values;
    }

    private static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
}
