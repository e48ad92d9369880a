using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Placement.Rebalancing;

namespace CityTwin.Storage.Tests;

public sealed class RebalancingConfigurationTests
{
    [Fact]
    public void Silos_rebalance_with_the_configured_options_unless_it_is_turned_off()
    {
        var on = Services(new() { [$"{Rebalancing.Section}:SessionCyclePeriod"] = "00:00:30" });
        Assert.Contains(on, d => d.ServiceType == typeof(IActivationRebalancer));
        using var provider = on.BuildServiceProvider();
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<ActivationRebalancerOptions>>().Value.SessionCyclePeriod);

        var off = Services(new() { [$"{Rebalancing.Section}:Enabled"] = "false" });
        Assert.DoesNotContain(off, d => d.ServiceType == typeof(IActivationRebalancer));
    }

    private static IServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseCityTwinRebalancing(configuration));
        return builder.Services;
    }
}
