using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;

namespace CityTwin.Grains.Tests;

/// <summary>The silo remembers each grain interface's type instead of resolving it by reflection on every reference, and remembers what Orleans itself would say.</summary>
public sealed class GrainInterfaceTypeTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task A_remembered_interface_type_is_the_one_orleans_resolves_and_references_made_with_it_reach_their_grains()
    {
        var services = fixture.Cluster.Silos[0].ServiceProvider;
        var providers = services.GetServices<IGrainInterfaceTypeProvider>().ToArray();
        Assert.IsType<RememberedGrainInterfaceTypes>(providers[0]); // asked first
        var resolver = services.GetRequiredService<GrainInterfaceTypeResolver>();
        foreach (var type in new[] { typeof(IAssetGrain), typeof(IDistrictGrain), typeof(IManagementGrain) })
        {
            var remembered = resolver.GetGrainInterfaceType(type);
            Assert.Equal(remembered, resolver.GetGrainInterfaceType(type));
            // What the resolver says without it: Orleans' own providers, then its naming convention.
            var own = providers.Skip(1).Select(p => p.TryGetGrainInterfaceType(type, out var t) ? t : (GrainInterfaceType?)null).FirstOrDefault(t => t is not null)
                      ?? resolver.GetGrainInterfaceTypeByConvention(type);
            Assert.Equal(own, remembered);
        }
        var pole = TestAssets.Pole();
        await fixture.Client.GetGrain<CityTwin.Contracts.Import.IImportGrain>(0).ApplyAsync([pole]);
        var inSilo = services.GetRequiredService<IGrainFactory>().GetGrain<IAssetGrain>(pole.Id);
        Assert.Equal(pole.Id, (await inSilo.GetAsync())!.Id);
    }
}
