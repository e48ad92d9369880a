using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Providers;
using Orleans.Storage;

namespace CityTwin.Storage.Tests;

/// <summary>
/// State written through one silo is read back by a new silo on the same database. Grain calls go through a
/// separate client configured by <see cref="OrleansStorageExtensions.UseCityTwinClustering"/>.
/// </summary>
public class PersistenceTests
{
    [Fact]
    public async Task Sqlite_state_survives_a_silo_restart()
    {
        using var temp = new TempDirectory();
        await StateSurvivesARestart(TestStorage.Sqlite(temp.Path));
    }

    /// <summary>Starts on an empty database: the silo's own schema step must run before membership reads its table.</summary>
    [PostgresFact]
    public async Task Postgres_state_survives_a_silo_restart()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await StateSurvivesARestart(database.Options());
    }

    private static async Task StateSurvivesARestart(StorageOptions options)
    {
        var key = $"note-{Guid.NewGuid():N}";

        var gatewayPort = TestHosts.FreePort();
        var silo = await TestHosts.StartSiloAsync(options, TestHosts.FreePort(), gatewayPort);
        foreach (var name in new[] { StorageNames.Assets, StorageNames.PubSub, ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME })
            Assert.NotNull(silo.Services.GetKeyedService<IGrainStorage>(name));
        var client = await TestHosts.StartClientAsync(options);
        var note = client.Services.GetRequiredService<IClusterClient>().GetGrain<INoteGrain>(key);
        await note.Write("first");
        await note.Write("second");
        await TestHosts.StopAsync(client);
        await TestHosts.StopAsync(silo);

        gatewayPort = TestHosts.FreePort();
        silo = await TestHosts.StartSiloAsync(options, TestHosts.FreePort(), gatewayPort);
        client = await TestHosts.StartClientAsync(options);
        try
        {
            note = client.Services.GetRequiredService<IClusterClient>().GetGrain<INoteGrain>(key);
            Assert.Equal(new NoteState { Text = "second", Writes = 2 }, await note.Read());
            Assert.Equal("2", await note.ETag());
            await note.Write("third"); // the compare-and-swap accepts the version read back
            Assert.Equal("3", await note.ETag());
        }
        finally
        {
            await TestHosts.StopAsync(client);
            await TestHosts.StopAsync(silo);
        }

        // Orleans' binary format, not JSON: the grain state is a [GenerateSerializer] record.
        await using var connection = await SchemaInstaller.OpenAsync(options);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage";
        var payload = Assert.IsType<byte[]>(await command.ExecuteScalarAsync());
        Assert.NotEqual((byte)'{', payload[0]);
    }
}
