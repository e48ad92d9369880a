using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Service defaults shared by the silos and the API (the Aspire convention).</summary>
public static class Extensions
{
    /// <summary>Meters every process exports: Orleans' own and the twin's.</summary>
    public static readonly string[] Meters = ["Microsoft.Orleans", "CityTwin"];

    /// <summary>
    /// Instruments whose every collection walks all of a silo's activations, so a scrape would slow down with the
    /// number of assets: orleans-messaging-processing-activation-data sums the requests in flight over every
    /// activation, about 100 ms per scrape at 300,000 activations (measured per instrument with a MeterListener).
    /// </summary>
    public static readonly string[] UnscalableInstruments = ["orleans-messaging-processing-activation-data"];

    /// <summary>
    /// Instruments Orleans tags with a peer silo's address, generation included: every restart of a peer adds series
    /// that stay for the life of the process (about 120 lines a restart in the soak). Exported without that tag.
    /// </summary>
    public static readonly string[] PerPeerInstruments = ["orleans-messaging-sent-messages-size", "orleans-messaging-received-messages-size"];

    /// <summary>
    /// Orleans' membership ping counters, tagged with nothing but the pinged (or pinging) silo's address and generation
    /// (<c>Destination</c>, MessagingInstruments.OnPing*): four more series for the life of the process at every restart of
    /// a peer (the soak's silo-1: 3–4 a kill). Exported as cluster-wide totals; which silo misses pings is in the logs
    /// and in the membership table.
    /// </summary>
    public static readonly string[] PingInstruments =
    [
        "orleans-messaging-pings-sent", "orleans-messaging-pings-received",
        "orleans-messaging-pings-reply-received", "orleans-messaging-pings-reply-missed",
    ];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.RaiseThreadPoolFloor();
        builder.Services.AddHostedService<StackTraceWarmUp>();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        // Metrics:Drop lists more instruments not to export (e.g. --Metrics:Drop:0=orleans-grains): an SRE's switch
        // for an instrument that costs more than it tells.
        string[] dropped = [.. UnscalableInstruments, .. builder.Configuration.GetSection("Metrics:Drop").Get<string[]>() ?? []];
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(Meters)
                    .AddPrometheusExporter();
                foreach (var instrument in dropped) metrics.AddView(instrument, MetricStreamConfiguration.Drop);
                foreach (var instrument in PerPeerInstruments.Except(dropped))
                    metrics.AddView(instrument, new MetricStreamConfiguration { TagKeys = ["ConnectionDirection", "MessageDirection"] });
                foreach (var instrument in PingInstruments.Except(dropped))
                    metrics.AddView(instrument, new MetricStreamConfiguration { TagKeys = [] });
            })
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !IsInfrastructurePath(ctx.Request.Path))
                .AddHttpClientInstrumentation());

        // OTLP to the Aspire dashboard only when Aspire (or an operator) names an endpoint.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>/health (ready), /alive (live) and /metrics (Prometheus text).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Open on a process that requires credentials: probes and Prometheus carry none, and these carry no asset identities.
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }

    private static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/alive") || path.StartsWithSegments("/metrics");
}
