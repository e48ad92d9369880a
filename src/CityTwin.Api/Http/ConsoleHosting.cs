using Microsoft.Extensions.FileProviders;

namespace CityTwin.Api.Http;

/// <summary>
/// The operations-centre console: a single page and its ES modules and vendored libraries, served from the API's
/// <c>wwwroot</c> at <c>/</c>. Static files carry no data, so they are served before authentication; everything the
/// page shows comes from <c>/api</c>, called with the key its user signs in with. <c>Console:TileUrl</c> (optional)
/// names a raster tile server (<c>https://tiles.example/{z}/{x}/{y}.png</c>) for deployments that have one; without
/// it the console draws the city on a plain background.
/// </summary>
public static class ConsoleHosting
{
    public static IApplicationBuilder UseConsole(this WebApplication app)
    {
        var tiles = TileOrigin(app.Configuration);
        // The page may load only its own scripts and styles (no inline script), images from itself, data: / blob:
        // (Leaflet, uPlot) and the configured tile server; it talks only to its own origin.
        var policy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:"
            + (tiles is null ? "" : " " + tiles) + "; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
        app.Use((context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
                context.Response.OnStarting(() =>
                {
                    var type = context.Response.ContentType;
                    if (type is not null && type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
                        context.Response.Headers.ContentSecurityPolicy = policy;
                    return Task.CompletedTask;
                });
            return next(context);
        });
        var files = app.Environment.WebRootFileProvider;
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Revalidated on every load (ETag): a new console is picked up at once, an unchanged one costs a 304.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
    }

    /// <summary><c>GET /console/config</c>: what the console needs before sign-in (no data, no secrets).</summary>
    public static IEndpointConventionBuilder MapConsoleConfig(this IEndpointRouteBuilder app)
    {
        var configuration = app.ServiceProvider.GetRequiredService<IConfiguration>();
        var config = new ConsoleConfig(configuration["Console:TileUrl"] is { Length: > 0 } url && TileOrigin(configuration) is not null ? url : null,
            configuration["Console:TileAttribution"]);
        return app.MapGet("/console/config", () => TypedResults.Ok(config)).AllowAnonymous().ExcludeFromDescription();
    }

    public sealed record ConsoleConfig(string? TileUrl, string? TileAttribution);

    /// <summary>The tile server's origin (for the page's content security policy; <c>{s}</c> becomes <c>*</c>), or null when none or not an http(s) URL.</summary>
    private static string? TileOrigin(IConfiguration configuration)
    {
        if (configuration["Console:TileUrl"] is not { Length: > 0 } url) return null;
        var scheme = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "https://" : url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "http://" : null;
        if (scheme is null) return null;
        var rest = url[scheme.Length..];
        var host = rest[..(rest.IndexOf('/') is var slash and >= 0 ? slash : rest.Length)].Replace("{s}", "*");
        return host.Length > 0 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '*') ? scheme + host : null;
    }
}
