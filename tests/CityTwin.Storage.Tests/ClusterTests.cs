using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace CityTwin.Storage.Tests;

public class ClusterTests
{
    [PostgresFact]
    public async Task Postgres_two_silos_form_one_cluster_through_the_membership_table()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await TwoSilosFormOneCluster(database.Options(clusterId: "two-silos"));
    }

    /// <summary>Orleans ships no SQLite membership script; ours (Scripts/Sqlite/03-Clustering.sql) makes this work.</summary>
    [Fact]
    public async Task Sqlite_two_silos_form_one_cluster_through_the_membership_table()
    {
        using var temp = new TempDirectory();
        var options = TestStorage.Sqlite(temp.Path);
        options.ClusterId = "two-silos";
        await TwoSilosFormOneCluster(options);
    }

    private static async Task TwoSilosFormOneCluster(StorageOptions options)
    {
        var gatewayPort = TestHosts.FreePort();

        // Started together: both apply the schema at once and race to create the membership version row.
        var silos = await Task.WhenAll(
            TestHosts.StartSiloAsync(options, TestHosts.FreePort(), gatewayPort),
            TestHosts.StartSiloAsync(options, TestHosts.FreePort(), TestHosts.FreePort()));
        try
        {
            await using var connection = await SchemaInstaller.OpenAsync(options);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = 'two-silos' AND Status = {(int)SiloStatus.Active}";
            Assert.Equal(2L, Convert.ToInt64(await command.ExecuteScalarAsync()));

            var management = silos[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);

            // A client finds the gateways in the membership table, knowing only the database.
            var client = await TestHosts.StartClientAsync(options);
            try
            {
                var note = client.Services.GetRequiredService<IClusterClient>().GetGrain<INoteGrain>("clustered");
                await note.Write("hello");
                Assert.Equal("hello", (await note.Read()).Text);
            }
            finally
            {
                await TestHosts.StopAsync(client);
            }
        }
        finally
        {
            await Task.WhenAll(silos.Select(TestHosts.StopAsync));
        }
    }
}
