using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;

namespace CityTwin.Contracts.Hosting;

/// <summary>
/// Remembers each grain interface's <see cref="GrainInterfaceType"/>. Orleans' resolver asks its providers again on
/// every <c>GetGrain</c> — reflection over the interface's attributes, then its type name formatted — and a cold GET
/// of an asset makes four references: a tenth of the silo's CPU in the profile of a restarted million-asset city
/// (<c>load-tests/run.sh queries --restarted --trace</c>). Registered ahead of Orleans' providers, it lets them answer
/// once per interface and keeps the answer.
/// </summary>
public sealed class RememberedGrainInterfaceTypes(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _known = new();
    [ThreadStatic] private static bool t_asking; // this provider is asking the resolver, which asks its providers: step aside

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        if (_known.TryGetValue(type, out grainInterfaceType)) return true;
        if (t_asking) return false;
        t_asking = true;
        try { grainInterfaceType = services.GetRequiredService<GrainInterfaceTypeResolver>().GetGrainInterfaceType(type); }
        finally { t_asking = false; }
        _known[type] = grainInterfaceType;
        return true;
    }
}

public static class RememberedGrainInterfaceTypesExtensions
{
    /// <summary>Puts <see cref="RememberedGrainInterfaceTypes"/> first among the grain interface type providers (they are asked in registration order).</summary>
    public static IServiceCollection RememberGrainInterfaceTypes(this IServiceCollection services)
    {
        if (!services.Any(d => d.ImplementationType == typeof(RememberedGrainInterfaceTypes)))
            services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, RememberedGrainInterfaceTypes>());
        return services;
    }
}
