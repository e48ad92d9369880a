namespace CityTwin.Api.Access;

/// <summary>Section <c>Auth</c>: who may call the API.</summary>
public sealed class AuthOptions
{
    /// <summary>
    /// A deployment's first admin key, as <c>{id}:{sha256}</c> (never the key itself): stored on start unless a key
    /// with its id exists. The AppHost creates one on first run; <c>citytwin keys hash</c> makes one from a key.
    /// </summary>
    public string? AdminKeyHash { get; set; }

    /// <summary>How often this process re-reads the key list: a revocation takes effect everywhere within it.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a request waits for the first key list while the cluster comes up, before a 503.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Development only, for measuring what authentication costs (load-tests/run.sh auth): every request is served as
    /// an admin named "auth-disabled". Refused at start in any other environment.
    /// </summary>
    public bool Disabled { get; set; }

    /// <summary>JWT bearer tokens from the city's identity provider; off unless an issuer is set.</summary>
    public JwtOptions Jwt { get; set; } = new();
}

/// <summary>Section <c>Auth:Jwt</c>.</summary>
public sealed class JwtOptions
{
    /// <summary>The token issuer (<c>iss</c>). With <see cref="Authority"/> unset, tokens are checked against <see cref="SigningKeys"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience (<c>aud</c>) tokens must name.</summary>
    public string? Audience { get; set; }

    /// <summary>An OIDC issuer whose discovery document gives the signing keys (https unless <see cref="RequireHttpsMetadata"/> is off).</summary>
    public string? Authority { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Verification keys: PEM public keys (RSA or EC), or <c>base64:…</c> for a shared HMAC secret.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>The claim holding the user's roles (a string or an array): viewer, operator, engineer, admin, device.</summary>
    public string RoleClaim { get; set; } = "roles";

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer) || !string.IsNullOrWhiteSpace(Authority);
}
