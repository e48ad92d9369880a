using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using CityTwin.Contracts.Hosting;

namespace CityTwin.Grains;

public static class TwinServiceCollectionExtensions
{
    /// <summary>What the twin's grains need from a silo's container: their options and the twin's clock.</summary>
    public static IServiceCollection AddCityTwinGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddKeyedSingleton(TwinOptions.ClockKey, TimeProvider.System);
        services.RememberGrainInterfaceTypes();
        services.AddMetrics();
        services.AddSingleton<IIncomingGrainCallFilter, StorageFaultFilter>();
        services.TryAddSingleton<Metrics.TwinMetrics>();
        services.TryAddSingleton<Streams.ChangeCoalescer>();
        services.TryAddSingleton<Districts.DistrictReachability>();
        services.TryAddSingleton<Assets.AssetStore>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Assets.AssetStore>());
        services.AddHostedService(sp => sp.GetRequiredService<Streams.ChangeCoalescer>());
        services.AddOptions<TwinOptions>().Bind(configuration.GetSection(TwinOptions.Section))
            .Validate(o => o.Check() is null, "Invalid Twin options: AssetIdleDeactivation must be at least 1 s, AssetWriteBatchRows at least 1, " +
                                              "TelemetryWriteBehind and DistrictWriteBehind not negative, DistrictReportInterval, ChangeCoalescing, " +
                                              "CameraCountInterval and HistoryRetention positive, HistoryMaxChanges and TelemetryHistory not negative")
            .ValidateOnStart();
        services.AddOptions<Orleans.Configuration.GrainCollectionOptions>().Configure<IOptions<TwinOptions>>((collection, twin) =>
        {
            var idle = twin.Value.AssetIdleDeactivation;
            collection.ClassSpecificCollectionAge[typeof(Assets.AssetGrain).FullName!] = idle;
            // Orleans refuses an age that is not above its sweep interval (1 min by default; the silo then fails to
            // start): a shorter idle age sweeps more often.
            if (idle <= collection.CollectionQuantum) collection.CollectionQuantum = idle / 2;
        });
        services.Configure<Scenarios.ScenarioOptions>(configuration.GetSection(Scenarios.ScenarioOptions.Section));
        services.TryAddSingleton<Scenarios.ScenarioLimiter>();
        services.TryAddSingleton<Scenarios.ScenarioMetrics>();
        return services;
    }
}
