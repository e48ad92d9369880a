using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CityTwin.Api.Access;

/// <summary>
/// The OpenAPI document's security: the API key and bearer schemes, and on each operation that needs a credential the
/// requirement and the roles that may call it (from its policy); open routes (probes, metrics, docs) carry none.
/// </summary>
public static class OpenApiSecurity
{
    public const string ApiKey = "apiKey";
    public const string Bearer = "bearer";

    public static OpenApiOptions AddCityTwinSecurity(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "Authorization",
                Description = "An API key: `Authorization: ApiKey ctk_…` (or the header `X-Api-Key: ctk_…`). Admins create keys at POST /api/keys.",
            };
            document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "A token from the city's identity provider (Auth:Jwt); roles in the `roles` claim, scope in `citytwin:districts` / `citytwin:types`.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any()) return Task.CompletedTask;
            var policy = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKey, context.Document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] });
            if (policy is not null) operation.Description = $"{operation.Description}\n\nRoles: {Roles(policy)}.".TrimStart();
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No credential, or one that is unknown, revoked or expired (problem details)" });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The credential's role may not do this (problem details)" });
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "The caller's rate limit is spent; see Retry-After (problem details)" });
            return Task.CompletedTask;
        });
        return options;
    }

    private static string Roles(string policy) => policy switch
    {
        AccessPolicies.Read => string.Join(", ", Domain.Access.Roles.Readers),
        AccessPolicies.Operate => string.Join(", ", Domain.Access.Roles.Operators),
        AccessPolicies.Engineer => string.Join(", ", Domain.Access.Roles.Engineers),
        AccessPolicies.Ingest => string.Join(", ", Domain.Access.Roles.Senders),
        AccessPolicies.Admin => Domain.Access.Roles.Admin,
        _ => string.Join(", ", Domain.Access.Roles.All),
    };
}
