using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace CityTwin.Api.Access;

/// <summary>401 and 403 as problem details that say what was missing, after the scheme's own challenge headers.</summary>
public sealed class AccessProblems : IAuthorizationMiddlewareResultHandler
{
    public const string Unauthorized = Problems.TypeBase + "unauthorized";
    public const string Forbidden = Problems.TypeBase + "forbidden";
    public const string Unavailable = Problems.TypeBase + "access-unavailable";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (context.Items.ContainsKey(ApiKeyHandler.UnavailableItem))
        {
            context.Response.Headers.RetryAfter = "5";
            await Results.Problem(type: Unavailable, statusCode: 503, title: "Credentials cannot be checked yet",
                detail: "The twin's key list is not loaded (the cluster is starting or unreachable); try again.").ExecuteAsync(context);
            return;
        }
        if (result.Challenged)
        {
            await context.ChallengeAsync();
            // Either credential will do: say so even where the token scheme answered the challenge.
            if (!context.Response.Headers.WWWAuthenticate.Any(h => h!.StartsWith(ApiKeyHandler.SchemeName, StringComparison.Ordinal)))
                context.Response.Headers.Append("WWW-Authenticate", $"{ApiKeyHandler.SchemeName} realm=\"citytwin\"");
            var failure = context.Items[ApiKeyHandler.FailureItem] as string;
            await Results.Problem(type: Unauthorized, statusCode: 401, title: "A credential is required",
                detail: failure ?? "Send an API key (Authorization: ApiKey ctk_…) or a bearer token from the city's identity provider.")
                .ExecuteAsync(context);
            return;
        }
        if (result.Forbidden)
        {
            var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct();
            var caller = Caller.Of(context);
            await Results.Problem(type: Forbidden, statusCode: 403, title: "Your role may not do this",
                detail: $"This needs the role {string.Join(" or ", roles)}; the credential '{caller.Name}' has {(caller.Roles.Count == 0 ? "no role" : caller.Role)}.")
                .ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, result);
    }
}
