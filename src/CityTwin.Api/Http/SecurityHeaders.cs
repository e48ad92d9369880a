using Microsoft.AspNetCore.Cors.Infrastructure;

namespace CityTwin.Api.Http;

/// <summary>
/// Headers every answer carries, and the cross-origin policy: the console is served from the API itself, so no other
/// origin is allowed unless configured (<c>Api:Cors:Origins</c>, e.g. a console hosted elsewhere).
/// </summary>
public static class SecurityHeaders
{
    public const string CorsPolicy = "console";

    public static IServiceCollection AddCityTwinCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection("Api:Cors:Origins").Get<string[]>() ?? [];
        return services.AddCors(o => o.AddPolicy(CorsPolicy, p =>
        {
            if (origins.Length > 0) p.WithOrigins(origins);
            p.WithMethods("GET", "POST", "DELETE")
                .WithHeaders("Authorization", "Content-Type", "Last-Event-ID", "X-Api-Key")
                .WithExposedHeaders("Location", "Retry-After", "WWW-Authenticate")
                .SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));
    }

    /// <summary>No sniffing, no framing, no referrer; API answers (JSON, never a page) may load nothing at all.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers.CacheControl = "no-store"; // answers depend on who asks
        }
        return next(context);
    });
}
