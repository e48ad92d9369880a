using CityTwin.Domain.Access;
using Microsoft.Extensions.Primitives;

namespace CityTwin.Api.Feed;

/// <summary>
/// What a subscriber wants: null sets match everything. Each parameter may repeat or list values comma-separated
/// (<c>?type=camera&amp;type=pole</c> = <c>?type=camera,pole</c>). An alarm has an asset type but no status, so a
/// status filter leaves alarms out; a district's gap notice reaches everyone watching that district.
/// </summary>
public sealed record FeedFilter(HashSet<string>? Districts, HashSet<AssetType>? Types, HashSet<AssetStatus>? Statuses)
{
    public static readonly FeedFilter All = new(null, null, null);

    /// <summary>What the subscriber's credential may see: the feed shows nothing outside it, gap notices included.</summary>
    public AccessScope Scope { get; init; } = AccessScope.Everything;

    public bool Matches(FeedItem item)
    {
        if (!Scope.IsEverything && !InScope(item)) return false;
        if (Districts is not null && (item.District is null || !Districts.Contains(item.District))) return item.Kind == FeedItemKind.OverflowGap;
        return item.Kind switch
        {
            FeedItemKind.Change => (Types is null || Types.Contains(item.Type!.Value)) && (Statuses is null || Statuses.Contains(item.Status!.Value)),
            FeedItemKind.Alarm => Statuses is null && (Types is null || Types.Contains(item.Type!.Value)),
            _ => true,
        };
    }

    private bool InScope(FeedItem item) => item.District is not { } district
        ? item.Kind != FeedItemKind.Change && item.Kind != FeedItemKind.Alarm
        : item.Type is { } type ? Scope.Allows(district, type) : Scope.AllowsDistrict(district);

    /// <summary>The filter, or the validation errors naming each bad parameter.</summary>
    public static (FeedFilter? Filter, List<ValidationError> Errors) Parse(IQueryCollection query)
    {
        var errors = new List<ValidationError>();
        var districts = Values(query["district"]);
        if (districts?.FirstOrDefault(d => !Ids.IsValid(d)) is { } bad)
            errors.Add(new ValidationError("district", $"'{Shorten(bad)}' is not a valid district id"));
        var types = Enums<AssetType>(query["type"], "type", errors);
        var statuses = Enums<AssetStatus>(query["status"], "status", errors);
        return errors.Count > 0 ? (null, errors) : (new FeedFilter(districts?.ToHashSet(StringComparer.Ordinal), types, statuses), errors);
    }

    private static List<string>? Values(StringValues raw)
    {
        if (raw.Count == 0) return null;
        var values = raw.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        return values.Count == 0 ? null : values;
    }

    private static HashSet<T>? Enums<T>(StringValues raw, string field, List<ValidationError> errors) where T : struct, Enum
    {
        if (Values(raw) is not { } values) return null;
        var set = new HashSet<T>();
        foreach (var v in values)
        {
            // Enum.TryParse also takes numbers ("3") and combinations: only a name is a value here.
            if (char.IsLetter(v[0]) && Enum.TryParse<T>(v, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) set.Add(parsed);
            else
            {
                var names = string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
                errors.Add(new ValidationError(field, $"'{Shorten(v)}' is not one of {names}"));
                return null;
            }
        }
        return set;
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
