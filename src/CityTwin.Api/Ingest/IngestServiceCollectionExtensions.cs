using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityTwin.Api.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>The batch router and its limits (section <c>Ingest</c>); the MQTT bridge when <c>Mqtt:Host</c> is set.</summary>
    public static IHostApplicationBuilder AddTelemetryIngest(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<IngestOptions>(builder.Configuration.GetSection("Ingest"));
        builder.Services.Configure<MqttOptions>(builder.Configuration.GetSection("Mqtt"));
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<TelemetryRouter>();
        builder.Services.AddSingleton<AssetPlaces>();
        builder.Services.AddSingleton<MqttStatus>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Mqtt:Host"])) builder.Services.AddHostedService<MqttBridge>();
        return builder;
    }
}
