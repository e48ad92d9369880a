using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityTwin.Api.Feed;

public static class FeedServiceCollectionExtensions
{
    /// <summary>The live feed: options ("Feed" section), its metrics the <see cref="LiveFeed"/> hosted service and its readiness check.</summary>
    public static IServiceCollection AddLiveFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FeedOptions>().Bind(configuration.GetSection(FeedOptions.Section))
            .Validate(o => o.Check() is null, "Invalid Feed options: History, SubscriberBuffer and MaxSubscribers must be positive (SubscriberBuffer ≥ 2), intervals positive, Renew shorter than the feed grains' observer expiry (1 min)")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<FeedMetrics>();
        services.TryAddSingleton<LiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        services.AddHealthChecks().AddCheck<LiveFeed.ReadyCheck>("feed");
        return services;
    }
}
