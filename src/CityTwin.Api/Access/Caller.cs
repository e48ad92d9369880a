using System.Security.Claims;
using CityTwin.Domain.Access;

namespace CityTwin.Api.Access;

/// <summary>
/// Who is calling, as the endpoints and the audit log see it: an id ("key:…" or "user:{issuer}|{subject}"), a name,
/// roles, and the part of the city it may see — its own districts × types plus what is shared with its department.
/// Endpoints take it as a parameter.
/// </summary>
public sealed record Caller(string Id, string Name, IReadOnlyList<string> Roles, string? Department, AccessScope Scope)
{
    private static readonly object ItemKey = new();

    /// <summary>For what runs without a request (the MQTT bridge's own account, tests of domain code).</summary>
    public static Caller System { get; } = new("system", "system", [Domain.Access.Roles.Admin], null, AccessScope.Everything);

    public string Role => string.Join(',', Roles);

    public static Caller Of(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var held) && held is Caller caller) return caller;
        caller = From(context.User, context.RequestServices.GetRequiredService<AccessDirectory>());
        context.Items[ItemKey] = caller;
        return caller;
    }

    /// <summary>Minimal APIs bind a <see cref="Caller"/> parameter through this.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(Of(context));

    public static Caller From(ClaimsPrincipal user, AccessDirectory directory)
    {
        var identity = user.Identity as ClaimsIdentity;
        if (identity is not { IsAuthenticated: true }) return new("anonymous", "anonymous", [], null, AccessScope.Nothing);
        var roles = user.FindAll(identity.RoleClaimType).SelectMany(c => Split(c.Value)).Where(Domain.Access.Roles.IsKnown).Distinct().ToArray();
        var districts = user.FindAll(AccessClaims.Districts).SelectMany(c => Split(c.Value)).ToArray();
        var types = user.FindAll(AccessClaims.Types).SelectMany(c => Split(c.Value))
            .Select(t => Enum.TryParse<AssetType>(t, ignoreCase: true, out var type) ? type : (AssetType?)null).ToArray();
        var department = user.FindFirst(AccessClaims.Department)?.Value;
        // A type claim naming no known type must not widen the scope to every type.
        var own = types.Any(t => t is null) && types.All(t => t is null)
            ? null
            : ScopeArea.Of(districts, [.. types.OfType<AssetType>()]);
        var scope = new AccessScope(own is null ? [] : [own]).Union(directory.SharedWith(department));
        return new(user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "unknown", identity.Name ?? "unknown", roles, department, scope);
    }

    public bool IsInRole(IEnumerable<string> any) => Roles.Any(any.Contains);

    /// <summary>Whether the asset is in the caller's scope; one it may not see is answered as not found, never 403.</summary>
    public bool Sees(Asset asset) => Scope.Allows(asset.District, asset.Type);

    /// <summary>Whether the asset exists and is in scope; costs a grain call only for a scoped caller.</summary>
    public async Task<bool> SeesAsync(IGrainFactory grains, string assetId) =>
        Scope.IsEverything || await grains.GetGrain<Contracts.Assets.IAssetGrain>(assetId).GetAsync() is { } asset && Sees(asset);

    private static string[] Split(string value) => value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
