using CityTwin.Grains;
using CityTwin.Grains.Streams;
using CityTwin.Silo.Seeding;
using CityTwin.Storage;
using Orleans.Dashboard;

namespace CityTwin.Silo;

/// <summary>The silo host; <see cref="CreateApp"/> is also how the end-to-end tests start a real silo.</summary>
public static class SiloProgram
{
    public static void Main(string[] args) => CreateApp(args).Run();

    public static WebApplication CreateApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();

        var storage = StorageOptions.FromConfiguration(builder.Configuration);
        // The Orleans Dashboard profiles every grain call, so it is opt-in: the AppHost turns it on, benchmarks do not.
        var dashboard = builder.Configuration.GetValue("Silo:Dashboard", false);
        builder.UseOrleans(silo =>
        {
            silo.AddCityTwinStreams().UseCityTwinStorage(
                storage,
                builder.Configuration.GetValue("Silo:Port", 11111),
                builder.Configuration.GetValue("Silo:GatewayPort", 30000),
                builder.Configuration.GetValue<bool?>("Silo:DirectoryCache"))
                .UseCityTwinFailureDetection(builder.Configuration)
                .UseCityTwinRebalancing(builder.Configuration);
            if (dashboard) silo.AddDashboard();
        });

        builder.Services.AddCityTwinGrains(builder.Configuration);
        builder.Services.Configure<SeedOptions>(builder.Configuration.GetSection(SeedOptions.Section));
        builder.Services.AddHostedService<CitySeeder>();
        builder.Services.AddOptions<MemoryAfterTakeoverOptions>().Bind(builder.Configuration.GetSection(MemoryAfterTakeoverOptions.Section));
        builder.Services.AddHostedService<MemoryAfterTakeover>(); // its TimeProvider is the one Orleans registers

        var app = builder.Build();
        app.MapDefaultEndpoints();
        if (dashboard) app.MapOrleansDashboard("/dashboard");
        app.MapGet("/", () => Results.Text(dashboard
            ? "CityTwin silo: see /health, /metrics and /dashboard/ (Orleans Dashboard)"
            : "CityTwin silo: see /health and /metrics"));
        return app;
    }
}
