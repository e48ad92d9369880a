using Scalar.AspNetCore;
using CityTwin.Api.Endpoints;
using CityTwin.Api.Feed;
using CityTwin.Api.Ingest;
using CityTwin.Storage;

namespace CityTwin.Api;

/// <summary>The API host; <see cref="CreateApp"/> is also how the end-to-end tests start a real API.</summary>
public static class ApiProgram
{
    public static void Main(string[] args) => CreateApp(args).Run();

    public static WebApplication CreateApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();

        var storage = StorageOptions.FromConfiguration(builder.Configuration);
        builder.UseOrleansClient(client => client.UseCityTwinClustering(storage));

        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddCityTwinDocs());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(builder.Configuration.GetSection("Api:Query").Get<CityTwin.Domain.Queries.QueryLimits>() ?? new());
        builder.Services.AddSingleton<Queries.ReadModel>();
        builder.Services.AddLiveFeed(builder.Configuration);
        builder.AddTelemetryIngest();
        // JsonBody enforces each endpoint's own limit; this is the ceiling, for the largest body (an import).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Api:MaxImportBytes", 512L << 20));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        app.MapDefaultEndpoints();
        app.MapOpenApi(); // /openapi/v1.json
        app.MapScalarApiReference("/docs"); // the browsable reference, served from the package (no CDN)
        app.MapAssetEndpoints();
        app.MapQueryEndpoints();
        app.MapDistrictEndpoints();
        app.MapCityEndpoints();
        app.MapCascadeEndpoints();
        app.MapAlarmEndpoints();
        app.MapScenarioEndpoints();
        app.MapFeedEndpoints();
        app.MapIngestEndpoints();
        app.MapGet("/", () => Results.Redirect("/api/districts"));
        return app;
    }
}
