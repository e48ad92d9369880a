using CityTwin.Contracts.City;

namespace CityTwin.Grains.Tests;

public sealed class CityGrainTests(LongWindowClusterFixture fixture) : IClassFixture<LongWindowClusterFixture>
{
    [Fact]
    public async Task Only_one_caller_may_seed_an_empty_city()
    {
        var city = fixture.Client.GetGrain<ICityGrain>(TestAssets.NewId("city"));
        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => city.ClaimSeedingAsync()));
        Assert.Equal(1, claims.Count(c => c));
    }
}
