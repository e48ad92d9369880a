using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CityTwin.Grains.Tests;

/// <summary>The "Twin" settings an operator gives a silo: those that would stop it are refused at start with their name.</summary>
public sealed class TwinOptionsTests
{
    [Theory]
    [InlineData("00:01:00")] // Orleans' own sweep interval: a silo given this failed to start with Orleans' error
    [InlineData("00:00:02")]
    [InlineData("02:00:00")]
    public void A_short_idle_age_sweeps_more_often_so_the_silo_accepts_it(string idle)
    {
        using var services = Services(("Twin:AssetIdleDeactivation", idle));
        var collection = services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;

        var age = collection.ClassSpecificCollectionAge[typeof(Assets.AssetGrain).FullName!];
        Assert.Equal(TimeSpan.Parse(idle), age);
        Assert.True(age > collection.CollectionQuantum, $"age {age} must exceed the sweep interval {collection.CollectionQuantum} (Orleans refuses to start otherwise)");
    }

    [Theory]
    [InlineData("Twin:AssetIdleDeactivation", "00:00:00")]
    [InlineData("Twin:AssetWriteBatchRows", "0")]
    [InlineData("Twin:ChangeCoalescing", "-00:00:01")]
    public void A_setting_that_cannot_work_is_refused_by_name(string key, string value)
    {
        using var services = Services((key, value));
        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TwinOptions>>().Value);
        Assert.Contains("Invalid Twin options", refused.Message);
        Assert.Contains(key.Split(':')[1], refused.Message);
    }

    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        return new ServiceCollection().AddCityTwinGrains(configuration).BuildServiceProvider();
    }
}
