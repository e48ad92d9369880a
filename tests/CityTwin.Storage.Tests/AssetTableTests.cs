using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CityTwin.Storage.Tests;

/// <summary>
/// The asset table behind the silo's asset store, on both databases, as a silo registers it: many rows a write, and
/// a row only ever moves to a newer stamp — so chunks of one window, retries and a slow write can land in any order.
/// </summary>
public class AssetTableTests
{
    [Fact]
    public async Task Sqlite_asset_table_writes_batches_and_keeps_the_newest_stamp()
    {
        using var temp = new TempDirectory();
        await KeepsTheContract(TestStorage.Sqlite(temp.Path));
    }

    [PostgresFact]
    public async Task Postgres_asset_table_writes_batches_and_keeps_the_newest_stamp()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await KeepsTheContract(database.Options());
    }

    private static async Task KeepsTheContract(StorageOptions options)
    {
        var silo = await TestHosts.StartSiloAsync(options, TestHosts.FreePort(), TestHosts.FreePort());
        try
        {
            var table = silo.Services.GetRequiredService<IAssetTable>();
            Assert.Null(await table.ReadAsync("pole-none"));

            // One write of 5,000 rows: all of them land, each with its own payload.
            var rows = Enumerable.Range(0, 5_000).Select(i => new AssetRow($"pole-{i:D5}", 100, Payload(i))).ToArray();
            await table.WriteAsync(rows);
            foreach (var i in new[] { 0, 1, 2_500, 4_999 })
            {
                var row = await table.ReadAsync($"pole-{i:D5}");
                Assert.Equal(100L, row!.Value.Stamp);
                Assert.Equal(Payload(i), row.Value.Payload);
            }

            // Newer stamps replace; an older or equal one (a late chunk, a retry) changes nothing.
            await table.WriteAsync([new AssetRow("pole-00000", 200, Payload(-1)), new AssetRow("pole-00001", 99, Payload(-2)), new AssetRow("pole-00002", 100, Payload(-3))]);
            Assert.Equal(Payload(-1), (await table.ReadAsync("pole-00000"))!.Value.Payload);
            Assert.Equal(Payload(1), (await table.ReadAsync("pole-00001"))!.Value.Payload);
            Assert.Equal(Payload(2), (await table.ReadAsync("pole-00002"))!.Value.Payload);
        }
        finally
        {
            await TestHosts.StopAsync(silo);
        }
        // A second silo on the same database reads what the first wrote.
        var again = await TestHosts.StartSiloAsync(options, TestHosts.FreePort(), TestHosts.FreePort());
        try
        {
            Assert.Equal(Payload(-1), (await again.Services.GetRequiredService<IAssetTable>().ReadAsync("pole-00000"))!.Value.Payload);
        }
        finally
        {
            await TestHosts.StopAsync(again);
        }
    }

    private static byte[] Payload(int i) => BitConverter.GetBytes(i).Concat(new byte[64]).ToArray();
}
