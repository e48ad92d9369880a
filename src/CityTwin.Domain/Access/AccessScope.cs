using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Access;

/// <summary>
/// The part of the city a caller may see and command: a union of areas, each some districts × some asset types
/// (null: all of them). A caller's own scope is one area; data another department shares with it adds areas.
/// </summary>
public sealed record AccessScope(IReadOnlyList<ScopeArea> Areas)
{
    public static AccessScope Everything { get; } = new([ScopeArea.All]);
    public static AccessScope Nothing { get; } = new([]);

    public bool IsEverything { get; } = Areas.Any(a => a.Districts is null && a.Types is null);

    public bool Allows(string district, AssetType type) => Areas.Any(a => a.Allows(district, type));

    public bool AllowsDistrict(string district) => Areas.Any(a => a.Districts is null || a.Districts.Contains(district));

    /// <summary>The types this scope allows in one district: null for every type, empty for none.</summary>
    public IReadOnlySet<AssetType>? TypesIn(string district)
    {
        HashSet<AssetType>? types = null;
        var any = false;
        foreach (var area in Areas)
        {
            if (area.Districts is not null && !area.Districts.Contains(district)) continue;
            if (area.Types is null) return null;
            any = true;
            (types ??= []).UnionWith(area.Types);
        }
        return any ? types! : new HashSet<AssetType>();
    }

    public AccessScope Union(IEnumerable<ScopeArea> more) => new([.. Areas, .. more]);
}

/// <summary>Some districts × some asset types; null stands for all.</summary>
public sealed record ScopeArea(IReadOnlySet<string>? Districts, IReadOnlySet<AssetType>? Types)
{
    public static ScopeArea All { get; } = new(null, null);

    public bool Allows(string district, AssetType type) =>
        (Districts is null || Districts.Contains(district)) && (Types is null || Types.Contains(type));

    /// <summary>From lists as stored and configured: empty or missing means all.</summary>
    public static ScopeArea Of(IReadOnlyCollection<string>? districts, IReadOnlyCollection<AssetType>? types) => new(
        districts is { Count: > 0 } ? districts.ToHashSet(StringComparer.Ordinal) : null,
        types is { Count: > 0 } ? types.ToHashSet() : null);
}
