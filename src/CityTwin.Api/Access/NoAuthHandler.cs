using System.Security.Claims;
using System.Text.Encodings.Web;
using CityTwin.Domain.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Access;

/// <summary>
/// Auth:Disabled (Development only): every request is an admin, so a benchmark can measure what checking a key costs
/// against not checking one. Never registered otherwise.
/// </summary>
public sealed class NoAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "None";

    private static readonly AuthenticationTicket Ticket = new(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, "auth-disabled"), new Claim(ClaimTypes.Name, "auth-disabled"), new Claim(ClaimTypes.Role, Roles.Admin)],
        SchemeName, ClaimTypes.Name, ClaimTypes.Role)), SchemeName);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.Success(Ticket));
}
