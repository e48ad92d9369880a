using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Encodings.Web;
using CityTwin.Contracts.Access;
using CityTwin.Domain.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Access;

/// <summary>
/// Authenticates <c>Authorization: ApiKey ctk_…</c> (also <c>Bearer ctk_…</c> and <c>X-Api-Key</c>) against the
/// process's key list. A key's principal is built once per stored record and reused.
/// </summary>
public sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessDirectory directory, TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>Tickets by record (a new record, e.g. revoked, gets a new entry; the cache is as large as the key list).</summary>
    private static readonly ConditionalWeakTable<ApiKeyRecord, AuthenticationTicket> Tickets = new();

    /// <summary>Set when the key list could not be loaded: the answer is 503, not 401.</summary>
    public const string UnavailableItem = "citytwin:access-unavailable";

    /// <summary>Why a credential was refused, for the 401's detail (the middleware keeps only successes).</summary>
    public const string FailureItem = "citytwin:access-failure";

    public static string? KeyIn(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
        {
            var space = authorization.IndexOf(' ');
            if (space > 0)
            {
                var scheme = authorization.AsSpan(0, space);
                var value = authorization[(space + 1)..].Trim();
                if (scheme.Equals(SchemeName, StringComparison.OrdinalIgnoreCase)) return value;
                if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && value.StartsWith(ApiKeyToken.Prefix, StringComparison.Ordinal)) return value;
            }
            return null;
        }
        return request.Headers[Header].ToString() is { Length: > 0 } header ? header.Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await CheckAsync();
        if (result.Failure is { } failure) Context.Items[FailureItem] = failure.Message;
        return result;
    }

    private async Task<AuthenticateResult> CheckAsync()
    {
        if (KeyIn(Request) is not { } key) return AuthenticateResult.NoResult();
        if (ApiKeyToken.IdOf(key) is not { } id) return AuthenticateResult.Fail("The API key is not a CityTwin key (ctk_…).");
        if (await directory.LoadedAsync(Context.RequestAborted) is not { } list)
        {
            Context.Items[UnavailableItem] = true;
            return AuthenticateResult.Fail("The twin's key list could not be loaded.");
        }
        if (!list.Keys.TryGetValue(id, out var record) || !ApiKeyToken.Matches(key, record.Hash))
            return AuthenticateResult.Fail("The API key is not known.");
        if (record.RevokedAt is { } revoked) return AuthenticateResult.Fail($"The API key was revoked at {revoked:O}.");
        if (!record.IsValidAt(time.GetUtcNow())) return AuthenticateResult.Fail($"The API key expired at {record.ExpiresAt:O}.");
        return AuthenticateResult.Success(Tickets.GetValue(record, r => new AuthenticationTicket(PrincipalOf(r), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", $"{SchemeName} realm=\"citytwin\"");
        return Task.CompletedTask;
    }

    private static ClaimsPrincipal PrincipalOf(ApiKeyRecord key)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, "key:" + key.Id),
            new(ClaimTypes.Name, key.Name),
            new(ClaimTypes.Role, key.Role),
            new(AccessClaims.Kind, "key"),
        };
        if (key.Department is not null) claims.Add(new(AccessClaims.Department, key.Department));
        claims.AddRange(key.Districts.Select(d => new Claim(AccessClaims.Districts, d)));
        claims.AddRange(key.Types.Select(t => new Claim(AccessClaims.Types, t.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
    }
}
