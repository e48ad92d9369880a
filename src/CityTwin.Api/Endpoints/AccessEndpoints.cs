using CityTwin.Api.Audit;
using CityTwin.Api.Access;
using CityTwin.Contracts.Access;
using CityTwin.Domain.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// API keys and data shares (admins), and who the caller is (anyone signed in). A key is shown once, when created;
/// the twin keeps only its hash. Revoking takes effect on every API process within <c>Auth:RefreshInterval</c>.
/// </summary>
public static class AccessEndpoints
{
    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Access").RequireAuthorization(AccessPolicies.Admin);
        keys.MapPost("/", CreateKey).WithSummary("Create an API key: its role, and optionally its department, districts, types and expiry. The key is in this answer only.");
        keys.MapGet("/", ListKeys).WithSummary("Every API key (without secrets), revoked ones included");
        keys.MapDelete("/{id}", RevokeKey).WithSummary("Revoke an API key: refused everywhere within Auth:RefreshInterval");

        var shares = app.MapGroup("/api/shares").WithTags("Access").RequireAuthorization(AccessPolicies.Admin);
        shares.MapPost("/", CreateShare).WithSummary("Share one department's districts × types with another department");
        shares.MapGet("/", ListShares).WithSummary("Every data share, revoked ones included");
        shares.MapDelete("/{id}", RevokeShare).WithSummary("Revoke a data share");

        app.MapGroup("/api/me").WithTags("Access").RequireAuthorization(AccessPolicies.Any)
            .MapGet("/", (Caller caller) => TypedResults.Ok(View(caller))).WithSummary("Who the credential is: id, name, roles, department and scope");
        return app;
    }

    public sealed record NewKey(string? Name, string? Role, string? Department, string[]? Districts, string[]? Types, DateTimeOffset? ExpiresAt);

    public sealed record KeyView(string Id, string Name, string Role, string? Department, string[] Districts, AssetType[] Types,
        DateTimeOffset CreatedAt, string? CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? RevokedBy);

    public sealed record CreatedKey(string Key, KeyView Record);

    public sealed record NewShare(string? From, string? To, string[]? Districts, string[]? Types, string? Reason);

    public sealed record CallerView(string Id, string Name, IReadOnlyList<string> Roles, string? Department, IEnumerable<object> Scope);

    private static async Task<IResult> CreateKey(HttpRequest request, Caller caller, IGrainFactory grains, AccessDirectory directory, CommandAudit audit, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<NewKey>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        var spec = body.Value!;
        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > 100) errors.Add(new("name", "is required, at most 100 characters"));
        if (!Roles.IsKnown(spec.Role)) errors.Add(new("role", $"must be one of {string.Join(", ", Roles.All)}"));
        if (spec.Department is { } department && !Ids.IsValid(department)) errors.Add(new("department", "must be an id (letters, digits, '-', '_')"));
        var (districts, types) = Scope(spec.Districts, spec.Types, errors);
        var now = time.GetUtcNow();
        if (spec.ExpiresAt is { } expires && expires <= now) errors.Add(new("expiresAt", "must be in the future"));
        if (errors.Count > 0) return Problems.Invalid(errors, "The key is invalid");

        var (id, key) = ApiKeyToken.New();
        var record = new ApiKeyRecord
        {
            Id = id, Name = spec.Name!.Trim(), Role = spec.Role!, Hash = ApiKeyToken.Hash(key), Department = spec.Department,
            Districts = districts, Types = types, CreatedAt = now, CreatedBy = caller.Id, ExpiresAt = spec.ExpiresAt,
        };
        if (await audit.BeginAsync(caller, "key.create", $"key:{id}", null, $"{record.Name}: {record.Role}" + Scope(record.Districts, record.Types)) is not { } entry) return CommandAudit.Unavailable();
        if (!await entry.RunAsync(() => grains.GetGrain<IAccessGrain>(IAccessGrain.Key).AddKeyAsync(record), added => (added ? "ok" : "conflict", null)))
            return Results.Problem(statusCode: 409, type: Problems.TypeBase + "conflict", title: "Key id taken", detail: "Try again.");
        await directory.RefreshNowAsync();
        return TypedResults.Created($"/api/keys/{id}", new CreatedKey(key, View(record)));
    }

    private static async Task<Ok<KeyView[]>> ListKeys(AccessDirectory directory)
    {
        await directory.RefreshNowAsync();
        return TypedResults.Ok(directory.Current.Keys.Values.OrderBy(k => k.CreatedAt).Select(View).ToArray());
    }

    private static async Task<Results<Ok<KeyView>, ProblemHttpResult, UnavailableProblem>> RevokeKey(string id, Caller caller, IGrainFactory grains, AccessDirectory directory, CommandAudit audit)
    {
        if (await audit.BeginAsync(caller, "key.revoke", $"key:{id}") is not { } entry) return CommandAudit.Unavailable();
        if (await entry.RunAsync(() => grains.GetGrain<IAccessGrain>(IAccessGrain.Key).RevokeKeyAsync(id, caller.Id), k => k is null ? ("not-found", null) : ("ok", "revoked")) is not { } revoked)
            return TypedResults.Problem(type: Problems.NotFound, title: "Key not found", detail: $"No API key has the id '{id}'.", statusCode: 404);
        await directory.RefreshNowAsync();
        return TypedResults.Ok(View(revoked));
    }

    private static async Task<IResult> CreateShare(HttpRequest request, Caller caller, IGrainFactory grains, AccessDirectory directory, CommandAudit audit, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<NewShare>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        var spec = body.Value!;
        var errors = new List<ValidationError>();
        if (spec.From is not { } from || !Ids.IsValid(from)) errors.Add(new("from", "is required: the department whose data is shared"));
        if (spec.To is not { } to || !Ids.IsValid(to)) errors.Add(new("to", "is required: the department that receives it"));
        else if (to == spec.From) errors.Add(new("to", "must differ from 'from'"));
        if (spec.Reason is { Length: > 500 }) errors.Add(new("reason", "must be at most 500 characters"));
        var (districts, types) = Scope(spec.Districts, spec.Types, errors);
        if (districts.Length == 0 && types.Length == 0) errors.Add(new("districts", "a share names districts, types or both (a whole city is not shared by accident)"));
        if (errors.Count > 0) return Problems.Invalid(errors, "The share is invalid");

        var share = new DataShare
        {
            Id = "shr-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)),
            From = spec.From!, To = spec.To!, Districts = districts, Types = types, Reason = spec.Reason,
            CreatedAt = time.GetUtcNow(), CreatedBy = caller.Id,
        };
        if (await audit.BeginAsync(caller, "share.create", share.Id, null, $"{share.From} → {share.To}" + Scope(share.Districts, share.Types)) is not { } entry) return CommandAudit.Unavailable();
        await entry.RunAsync(() => grains.GetGrain<IAccessGrain>(IAccessGrain.Key).AddShareAsync(share), added => (added ? "ok" : "conflict", null));
        await directory.RefreshNowAsync();
        return TypedResults.Created($"/api/shares/{share.Id}", share);
    }

    private static async Task<Ok<DataShare[]>> ListShares(IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<IAccessGrain>(IAccessGrain.Key).GetIfNewerAsync(-1))?.Shares ?? []);

    private static async Task<Results<Ok<DataShare>, ProblemHttpResult, UnavailableProblem>> RevokeShare(string id, Caller caller, IGrainFactory grains, AccessDirectory directory, CommandAudit audit)
    {
        if (await audit.BeginAsync(caller, "share.revoke", id) is not { } entry) return CommandAudit.Unavailable();
        if (await entry.RunAsync(() => grains.GetGrain<IAccessGrain>(IAccessGrain.Key).RevokeShareAsync(id, caller.Id), x => x is null ? ("not-found", null) : ("ok", "revoked")) is not { } revoked)
            return TypedResults.Problem(type: Problems.NotFound, title: "Share not found", detail: $"No data share has the id '{id}'.", statusCode: 404);
        await directory.RefreshNowAsync();
        return TypedResults.Ok(revoked);
    }

    private static (string[] Districts, AssetType[] Types) Scope(string[]? districts, string[]? types, List<ValidationError> errors)
    {
        var d = (districts ?? []).Distinct().ToArray();
        if (d.FirstOrDefault(x => !Ids.IsValid(x)) is { } bad) errors.Add(new("districts", $"'{bad}' is not a district id"));
        var t = new List<AssetType>();
        foreach (var name in (types ?? []).Distinct())
        {
            if (Enum.TryParse<AssetType>(name, ignoreCase: true, out var type) && Enum.IsDefined(type) && !int.TryParse(name, out _)) t.Add(type);
            else errors.Add(new("types", $"'{name}' is not a type (pole, camera, intersection, link)"));
        }
        return (d, [.. t]);
    }

    private static string Scope(string[] districts, AssetType[] types) =>
        (districts.Length > 0 ? $"; districts {string.Join(' ', districts)}" : "") + (types.Length > 0 ? $"; types {string.Join(' ', types)}" : "");

    private static KeyView View(ApiKeyRecord k) =>
        new(k.Id, k.Name, k.Role, k.Department, k.Districts, k.Types, k.CreatedAt, k.CreatedBy, k.ExpiresAt, k.RevokedAt, k.RevokedBy);

    private static CallerView View(Caller caller) => new(caller.Id, caller.Name, caller.Roles, caller.Department,
        caller.Scope.Areas.Select(a => new { districts = a.Districts?.Order().ToArray(), types = a.Types?.Order().ToArray() }));
}
