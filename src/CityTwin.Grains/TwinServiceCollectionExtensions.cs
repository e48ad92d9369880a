using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityTwin.Grains;

public static class TwinServiceCollectionExtensions
{
    /// <summary>What the twin's grains need from a silo's container: their options and the twin's clock.</summary>
    public static IServiceCollection AddCityTwinGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddKeyedSingleton(TwinOptions.ClockKey, TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<IIncomingGrainCallFilter, StorageFaultFilter>();
        services.TryAddSingleton<Metrics.TwinMetrics>();
        services.TryAddSingleton<Streams.ChangeCoalescer>();
        services.TryAddSingleton<Assets.AssetStore>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Assets.AssetStore>());
        services.AddHostedService(sp => sp.GetRequiredService<Streams.ChangeCoalescer>());
        services.Configure<TwinOptions>(configuration.GetSection(TwinOptions.Section));
        services.AddOptions<Orleans.Configuration.GrainCollectionOptions>().Configure<IOptions<TwinOptions>>((collection, twin) =>
            collection.ClassSpecificCollectionAge[typeof(Assets.AssetGrain).FullName!] = twin.Value.AssetIdleDeactivation);
        services.Configure<Scenarios.ScenarioOptions>(configuration.GetSection(Scenarios.ScenarioOptions.Section));
        services.TryAddSingleton<Scenarios.ScenarioLimiter>();
        services.TryAddSingleton<Scenarios.ScenarioMetrics>();
        return services;
    }
}
