using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

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
            Assert.Empty(await table.ReadAsync(["pole-none"]));
            Assert.False(await table.HoldsEarlierAssetsAsync()); // a new database: nothing stored the earlier way

            // One write of 5,000 rows: all of them land, each with its own payload.
            var rows = Enumerable.Range(0, 5_000).Select(i => new AssetRow($"pole-{i:D5}", 100, Payload(i))).ToArray();
            await table.WriteAsync(rows);
            foreach (var i in new[] { 0, 1, 2_500, 4_999 })
            {
                var row = await ReadOne(table, $"pole-{i:D5}");
                Assert.Equal(100L, row!.Value.Stamp);
                Assert.Equal(Payload(i), row.Value.Payload);
            }
            // Many ids in one read: each row found once, those without a row absent.
            string[] ids = [.. Enumerable.Range(0, 2_000).Select(i => $"pole-{i * 3:D5}"), "pole-none"];
            var many = await table.ReadAsync(ids);
            Assert.Equal(Enumerable.Range(0, 2_000).Where(i => i * 3 < 5_000).Select(i => $"pole-{i * 3:D5}").Order(), many.Select(r => r.Id).Order());
            Assert.All(many, r => Assert.Equal(Payload(int.Parse(r.Id[5..])), r.Payload));

            // Reads at once (the asset store runs several): each its own rows, and a read after a write sees it.
            var together = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ReadOne(table, $"pole-{i * 600:D5}")));
            Assert.Equal(Enumerable.Range(0, 8).Select(i => Payload(i * 600)), together.Select(r => r!.Value.Payload));

            // Newer stamps replace; an older or equal one (a late chunk, a retry) changes nothing.
            await table.WriteAsync([new AssetRow("pole-00000", 200, Payload(-1)), new AssetRow("pole-00001", 99, Payload(-2)), new AssetRow("pole-00002", 100, Payload(-3))]);
            Assert.Equal(Payload(-1), (await ReadOne(table, "pole-00000"))!.Value.Payload);
            Assert.Equal(Payload(1), (await ReadOne(table, "pole-00001"))!.Value.Payload);
            Assert.Equal(Payload(2), (await ReadOne(table, "pole-00002"))!.Value.Payload);
        }
        finally
        {
            await TestHosts.StopAsync(silo);
        }
        // A second silo on the same database reads what the first wrote.
        var again = await TestHosts.StartSiloAsync(options, TestHosts.FreePort(), TestHosts.FreePort());
        try
        {
            Assert.Equal(Payload(-1), (await ReadOne(again.Services.GetRequiredService<IAssetTable>(), "pole-00000"))!.Value.Payload);
            // An asset as the earlier version stored it (one grain storage row, state "asset"): a silo started
            // afterwards knows to look there for an asset the table lacks.
            var earlier = again.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Assets);
            await earlier.WriteStateAsync("asset", GrainId.Create("asset", "pole-earlier"), new GrainState<NoteState>(new NoteState { Text = "earlier" }));
        }
        finally
        {
            await TestHosts.StopAsync(again);
        }
        var third = await TestHosts.StartSiloAsync(options, TestHosts.FreePort(), TestHosts.FreePort());
        try
        {
            Assert.True(await third.Services.GetRequiredService<IAssetTable>().HoldsEarlierAssetsAsync());
        }
        finally
        {
            await TestHosts.StopAsync(third);
        }
    }

    private static async Task<AssetRow?> ReadOne(IAssetTable table, string id) =>
        await table.ReadAsync([id]) is [var row] ? row : null;

    private static byte[] Payload(int i) => BitConverter.GetBytes(i).Concat(new byte[64]).ToArray();
}
