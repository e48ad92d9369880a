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
        var options = database.Options(clusterId: "two-silos");
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
            Assert.Equal(2L, await command.ExecuteScalarAsync());

            var management = silos[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);

            // A client finds the gateways in the membership table, knowing only the database.
            var client = await TestHosts.StartClientAsync(options, gatewayPort: 0);
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
