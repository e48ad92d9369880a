using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityTwin.Storage.Tests;

/// <summary>
/// The optimistic-concurrency contract our own scripts must honour for Orleans' ADO.NET grain storage: the ETag is
/// the row version, and any write that does not name the current version fails with InconsistentStateException.
/// </summary>
public class StorageContractTests
{
    [Fact]
    public async Task Sqlite_storage_keeps_the_etag_contract()
    {
        using var temp = new TempDirectory();
        await KeepsTheETagContract(TestStorage.Sqlite(temp.Path));
    }

    [PostgresFact]
    public async Task Postgres_storage_keeps_the_etag_contract()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await KeepsTheETagContract(database.Options());
    }

    /// <summary>
    /// The PostgreSQL table has no unique key, so without the write function's advisory lock two first writes of one
    /// grain in overlapping transactions would both insert. Deterministic: the second starts while the first is open.
    /// </summary>
    [PostgresFact]
    public async Task Postgres_overlapping_first_writes_of_one_grain_leave_one_row()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var options = database.Options();
        await SchemaInstaller.ApplyAsync(options, CancellationToken.None);
        const string write = "SELECT NewGrainStateVersion FROM citytwin_write_grain_state(7, 0, 0, 11, 'note', 'n1', 'svc', NULL, '\\x01')";

        await using var first = await SchemaInstaller.OpenAsync(options);
        await using var tx = await first.BeginTransactionAsync();
        Assert.Equal(1, await ScalarAsync(first, write, tx));

        var second = Task.Run(async () =>
        {
            await using var connection = await SchemaInstaller.OpenAsync(options);
            return await ScalarAsync(connection, write);
        });
        await Task.Delay(300);
        await tx.CommitAsync();

        Assert.Null(await second); // it waited for the first, saw its row, and reports the conflict
        await using var check = await SchemaInstaller.OpenAsync(options);
        Assert.Equal(1L, await ScalarAsync(check, "SELECT count(*) FROM OrleansStorage"));
    }

    private static async Task KeepsTheETagContract(StorageOptions options)
    {
        var silo = await TestHosts.StartSiloAsync(options, TestHosts.FreePort(), TestHosts.FreePort());
        try
        {
            var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Assets);
            const string grainType = "note";
            var id = GrainId.Create("note", Guid.NewGuid().ToString("N"));
            GrainState<NoteState> State(string? etag, string text = "") => new(new NoteState { Text = text }) { ETag = etag };

            var state = State(null, "one");
            await storage.WriteStateAsync(grainType, id, state);
            Assert.Equal("1", state.ETag);

            // A second activation that also believes the grain is new.
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, id, State(null)));

            await storage.WriteStateAsync(grainType, id, state);
            Assert.Equal("2", state.ETag);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, id, State("1")));

            var read = State(null);
            await storage.ReadStateAsync(grainType, id, read);
            Assert.Equal(("one", "2", true), (read.State!.Text, read.ETag, read.RecordExists));

            await storage.ClearStateAsync(grainType, id, read);
            Assert.Equal(("3", false), (read.ETag, read.RecordExists));
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, id, State("2")));

            var cleared = State("stale");
            await storage.ReadStateAsync(grainType, id, cleared);
            Assert.Equal(("", "3", false), (cleared.State!.Text, cleared.ETag, cleared.RecordExists));

            // The row disappears (deleted by hand or by a DeleteStateOnClear storage): a writer still holding a
            // version must fail rather than silently recreate the grain.
            await ExecuteAsync(options, "DELETE FROM OrleansStorage");
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, id, State("3")));

            // Activations racing to create the same grain: exactly one wins, and the grain keeps one row.
            var racers = Enumerable.Range(0, 8).Select(i => Task.Run(() => storage.WriteStateAsync(grainType, id, State(null, $"racer {i}")))).ToList();
            try { await Task.WhenAll(racers); } catch (InconsistentStateException) { } // the losers, checked below
            Assert.Equal(1, racers.Count(r => r.IsCompletedSuccessfully));
            Assert.All(racers.Where(r => !r.IsCompletedSuccessfully), r => Assert.IsType<InconsistentStateException>(r.Exception!.InnerException));
            Assert.Equal(1L, Convert.ToInt64(await ExecuteAsync(options, "SELECT count(*) FROM OrleansStorage")));
        }
        finally
        {
            await TestHosts.StopAsync(silo);
        }
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, DbTransaction? tx = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return await command.ExecuteScalarAsync() is var value && value is DBNull ? null : value;
    }

    private static async Task<object?> ExecuteAsync(StorageOptions options, string sql)
    {
        await using var connection = await SchemaInstaller.OpenAsync(options);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
