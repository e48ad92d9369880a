using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace CityTwin.Api.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>The scheme every request is authenticated with: it hands an API key or a token to the handler for it.</summary>
    public const string Scheme = "CityTwin";

    /// <summary>API keys always; JWT bearer tokens when <c>Auth:Jwt:Issuer</c> or <c>Auth:Jwt:Authority</c> is set.</summary>
    public static IHostApplicationBuilder AddCityTwinAccess(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Auth");
        builder.Services.Configure<AuthOptions>(section);
        var jwt = section.GetSection("Jwt").Get<JwtOptions>() ?? new();
        var disabled = section.GetValue("Disabled", false);
        if (disabled && !builder.Environment.IsDevelopment())
            throw new InvalidOperationException("Auth:Disabled is for measuring in Development only; this environment is " + builder.Environment.EnvironmentName + ".");

        builder.Services.AddSingleton<AccessDirectory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AccessDirectory>());
        // Not ready (/health) until the key list is in: before that every request would wait for it or get a 503.
        builder.Services.AddHealthChecks().AddCheck<AccessDirectory.ReadyCheck>("keys");
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessProblems>();

        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or bearer token", o => o.ForwardDefaultSelector = context =>
                disabled ? NoAuthHandler.SchemeName
                : !jwt.Enabled || ApiKeyHandler.KeyIn(context.Request) is not null ? ApiKeyHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        if (disabled) authentication.AddScheme<AuthenticationSchemeOptions, NoAuthHandler>(NoAuthHandler.SchemeName, null);
        if (jwt.Enabled) authentication.AddJwtBearer(o => Configure(o, jwt));

        builder.Services.AddAuthorization(AccessPolicies.Add);
        return builder;
    }

    private static void Configure(JwtBearerOptions o, JwtOptions jwt)
    {
        o.MapInboundClaims = false; // claim names as the issuer wrote them: roles, sub, citytwin:districts
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            o.Authority = jwt.Authority;
            o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        }
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer ?? jwt.Authority,
            ValidateIssuer = true,
            ValidAudience = jwt.Audience,
            ValidateAudience = !string.IsNullOrWhiteSpace(jwt.Audience),
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = jwt.ClockSkew,
            IssuerSigningKeys = jwt.SigningKeys.Select(SigningKey).ToArray(),
            NameClaimType = "name",
            RoleClaimType = jwt.RoleClaim,
        };
        o.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = context =>
            {
                context.HttpContext.Items[ApiKeyHandler.FailureItem] = context.Exception switch
                {
                    SecurityTokenExpiredException expired => $"The token expired at {expired.Expires:O}.",
                    SecurityTokenInvalidIssuerException => "The token's issuer is not this city's identity provider.",
                    SecurityTokenInvalidAudienceException => "The token is not meant for this API (audience).",
                    SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature does not verify.",
                    _ => "The token is not valid.",
                };
                return Task.CompletedTask;
            },
            // One id per person across issuers, as the audit log and rate limits key on it.
            OnTokenValidated = context =>
            {
                if (context.Principal?.Identity is ClaimsIdentity identity)
                {
                    var subject = identity.FindFirst("sub")?.Value ?? identity.Name ?? "unknown";
                    var issuer = identity.FindFirst("iss")?.Value ?? jwt.Issuer;
                    identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, $"user:{issuer}|{subject}"));
                    identity.AddClaim(new Claim(AccessClaims.Kind, "user"));
                    if (identity.FindFirst("name") is null && identity.FindFirst("preferred_username") is { } username)
                        identity.AddClaim(new Claim("name", username.Value));
                }
                return Task.CompletedTask;
            },
        };
    }

    private static SecurityKey SigningKey(string text)
    {
        if (text.StartsWith("base64:", StringComparison.Ordinal)) return new SymmetricSecurityKey(Convert.FromBase64String(text["base64:".Length..]));
        if (text.Contains("BEGIN PUBLIC KEY", StringComparison.Ordinal) || text.Contains("BEGIN RSA PUBLIC KEY", StringComparison.Ordinal))
        {
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(text);
                return new RsaSecurityKey(rsa);
            }
            catch (ArgumentException)
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(text);
                return new ECDsaSecurityKey(ec);
            }
        }
        throw new InvalidOperationException("Auth:Jwt:SigningKeys: each key is a PEM public key or 'base64:<secret>'.");
    }
}
