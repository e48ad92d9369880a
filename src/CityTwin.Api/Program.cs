using Microsoft.AspNetCore.Diagnostics;
using CityTwin.Contracts.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Scalar.AspNetCore;
using CityTwin.Api.Access;
using CityTwin.Api.Audit;
using CityTwin.Api.Endpoints;
using CityTwin.Api.Feed;
using CityTwin.Api.Ingest;
using CityTwin.Domain.Serialization;
using CityTwin.Storage;

namespace CityTwin.Api;

/// <summary>The API host; <see cref="CreateApp"/> is also how the end-to-end tests start a real API.</summary>
public static class ApiProgram
{
    public static void Main(string[] args) => CreateApp(args).Run();

    /// <param name="args">command line (configuration)</param>
    /// <param name="services">what a test replaces after the API registered its own (e.g. a keyed clock)</param>
    public static WebApplication CreateApp(string[] args, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();

        var storage = StorageOptions.FromConfiguration(builder.Configuration);
        builder.UseOrleansClient(client => client.UseCityTwinClustering(storage));
        builder.Services.RememberGrainInterfaceTypes(); // every GET makes a grain reference
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<ConnectionBudgetCheck>(sp, storage));

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ClientErrors.Customize);
        builder.Services.AddExceptionHandler<ClientErrors.Handler>();
        // One instance for the handler and the endpoints' filter (Unavailable.Filter), which log 503s together.
        builder.Services.AddSingleton<Unavailable.Handler>();
        builder.Services.AddSingleton<IExceptionHandler>(sp => sp.GetRequiredService<Unavailable.Handler>());
        builder.Services.AddHostedService<Unavailable.WarmUp>();
        // Binding failures throw in every environment (by default only in Development, where they became a 500), so the
        // handler above can answer a problem naming the parameter. The endpoints bind their numbers and flags themselves.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // The one JSON convention (CityTwinJson) for everything the framework writes: typed results, problems, OpenAPI schemas.
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            CityTwinJson.ApplyTo(o.SerializerOptions);
            o.SerializerOptions.MaxDepth = JsonBody.MaxDepth;
        });
        builder.Services.AddOpenApi(o => o.AddCityTwinDocs().AddCityTwinSecurity());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(builder.Configuration.GetSection("Api:Query").Get<CityTwin.Domain.Queries.QueryLimits>() ?? new());
        builder.Services.AddSingleton<Queries.ReadModel>();
        builder.Services.Configure<Stats.StatsHistoryOptions>(builder.Configuration.GetSection("Api:StatsHistory"));
        builder.Services.AddKeyedSingleton(Stats.StatsHistory.ClockKey, TimeProvider.System);
        builder.Services.AddSingleton<Stats.StatsHistory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Stats.StatsHistory>());
        builder.Services.AddLiveFeed(builder.Configuration);
        builder.AddTelemetryIngest();
        builder.AddCityTwinAccess();
        builder.AddCommandAudit();
        builder.Services.AddCityTwinCors(builder.Configuration);
        builder.Services.AddCityTwinRateLimits(builder.Configuration);
        var limits = builder.Configuration.GetSection("Api:Limits").Get<HttpLimits>() ?? new();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // JsonBody enforces each endpoint's own limit; this is the ceiling, for the largest body (an import).
            k.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Api:MaxImportBytes", 512L << 20);
            limits.ApplyTo(k.Limits);
        });

        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages(ClientErrors.StatusCodeAsync);
        app.Use((context, next) =>
        {
            // Kestrel cannot drain a body over its ceiling that no endpoint read (an unknown route or method): end the
            // connection with the answer, so the client does not send its next request into a socket about to close.
            if (context.Request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
                context.Response.Headers.Connection = "close";
            return next(context);
        });
        app.UseSecurityHeaders();
        // The operations-centre console (wwwroot): static files, served before authentication as they carry no data;
        // every /api call it makes sends the key its user signed in with. "/" is its index.html.
        app.UseConsole();
        app.UseCors(SecurityHeaders.CorsPolicy);
        app.UseAuthentication();
        // Per caller, so after authentication; refusals are 429 problems, written by the limiter's OnRejected.
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapDefaultEndpoints();
        // The one document; its handler would read any other name from ?documentName= and answer a plain-text 404.
        app.MapOpenApi("/openapi/v1.json").AddEndpointFilter(async (context, next) => context.HttpContext.Request.Query.ContainsKey("documentName")
            ? (object)Problems.Invalid("documentName", "there is one document, /openapi/v1.json; it takes no documentName")
            : await next(context)).AllowAnonymous();
        app.MapScalarApiReference("/docs").AllowAnonymous(); // the browsable reference, served from the package (no CDN)
        // Every resource's endpoints answer a failure of the twin's infrastructure with a 503 themselves (Unavailable.Filter).
        var api = app.MapGroup("").AddEndpointFilter<Unavailable.Filter>();
        api.MapAccessEndpoints();
        api.MapAuditEndpoints();
        // One group per resource, each with its tag; each Map* returns its group so that a policy can be set per resource.
        api.MapAssetEndpoints();
        api.MapStatsEndpoints();
        api.MapDistrictEndpoints();
        api.MapCityEndpoints();
        api.MapLinkEndpoints();
        api.MapIntersectionEndpoints();
        api.MapAlarmEndpoints();
        api.MapScenarioEndpoints();
        api.MapSweepEndpoints();
        api.MapOptimisationEndpoints();
        api.MapExportEndpoints();
        api.MapSnapshotEndpoints();
        api.MapFeedEndpoints();
        api.MapIngestEndpoints();
        app.MapConsoleConfig();
        return app;
    }
}
