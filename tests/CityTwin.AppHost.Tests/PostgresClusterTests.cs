using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CityTwin.AppHost.Tests;

/// <summary>
/// The README's cluster line as an SRE runs it on a fresh clone — three silos on the AppHost's own PostgreSQL, from an
/// empty data directory — reaches a seeded, queryable city with every resource healthy (issue: the API once exited
/// for good with "too many clients" while the silos seeded). Its own AppHost, so its own collection.
/// </summary>
[Collection(PostgresAppCollection.Name)]
public sealed class PostgresClusterTests(PostgresAppFixture twin)
{
    [Fact]
    public async Task Three_silos_on_postgresql_from_an_empty_data_directory_serve_the_seeded_city()
    {
        Assert.Contains("postgres", twin.ResourceNames());
        var districts = await twin.Api.GetFromJsonAsync<JsonArray>("/api/districts", twin.Timeout);
        Assert.True(districts!.Sum(d => (int)d!["total"]!) >= TwinAppFixture.SeedAssets);
        var ids = await twin.AssetIdsAsync((string)districts![0]!["id"]!, 5);
        foreach (var id in ids)
            Assert.Equal(id, (string?)(await twin.Api.GetFromJsonAsync<JsonObject>($"/api/assets/{id}", twin.Timeout))!["id"]);
    }
}

/// <summary>The AppHost with <c>CityTwin:Storage=PostgreSql</c> and three silos (PostgreSQL installed: CI's `.ci/run` installs it).</summary>
public sealed class PostgresAppFixture : TwinAppFixture
{
    protected override int SiloCount => 3;
    protected override string[] ExtraArguments => ["--CityTwin:Storage=PostgreSql"];
}

[CollectionDefinition(Name)]
public sealed class PostgresAppCollection : ICollectionFixture<PostgresAppFixture>
{
    public const string Name = "apphost-postgres";
}
