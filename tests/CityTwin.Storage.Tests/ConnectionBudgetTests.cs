using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CityTwin.Storage.Tests;

/// <summary>Connection pools sized per process, and a cluster whose pools do not fit the server is told so at start.</summary>
public class ConnectionBudgetTests
{
    [Fact]
    public void A_pool_size_goes_into_the_postgresql_connection_string()
    {
        var options = StorageOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostgreSql", ["Storage:ConnectionString"] = "Host=db;Username=u", ["Storage:MaxPoolSize"] = "71", ["Storage:Processes"] = "4",
        }).Build());
        Assert.Equal(71, new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxPoolSize);
        Assert.Equal(4, options.Processes);
    }

    [Theory]
    [InlineData("Host=db;Username=u", StorageOptions.DefaultMaxPoolSize)]
    [InlineData("Host=db;Username=u;Maximum Pool Size=30", 30)]
    [InlineData("Host=db;Username=u;MaxPoolSize=12", 12)]
    public void A_process_keeps_a_small_pool_unless_its_connection_string_names_one(string connectionString, int pool)
    {
        var options = StorageOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostgreSql", ["Storage:ConnectionString"] = connectionString,
        }).Build());
        Assert.Equal(pool, new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxPoolSize);
    }

    [PostgresFact]
    public async Task Pools_that_do_not_fit_max_connections_are_named_with_the_setting_to_change()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var options = database.Options();
        options.Processes = 4; // three silos and the API, at Npgsql's default pool of 100: 400 > the test server's 300
        var problem = await ConnectionBudget.CheckAsync(options);
        Assert.NotNull(problem);
        Assert.Contains("53300", problem);
        Assert.Contains("Storage:MaxPoolSize ≤", problem);

        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { MaxPoolSize = 70 }.ConnectionString;
        Assert.Null(await ConnectionBudget.CheckAsync(options));
    }
}
