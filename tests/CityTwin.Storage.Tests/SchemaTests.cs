using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CityTwin.Storage.Tests;

public class SchemaTests
{
    private static readonly string[] PersistenceQueries = ["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"];

    // What Orleans 10.4's ADO.NET clustering and reminder tables look up by key (DbStoredQueries); a missing one
    // fails the silo at start with "Not all required queries found".
    private static readonly string[] ClusteringQueries =
    [
        "CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "InsertMembershipKey",
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
    ];

    private static readonly string[] ReminderQueries =
    [
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey",
        "ReadReminderRowsKey", "UpsertReminderRowKey",
    ];

    [Fact]
    public async Task Sqlite_schema_applies_twice_and_the_second_run_writes_nothing()
    {
        using var temp = new TempDirectory();
        var options = TestStorage.Sqlite(Path.Combine(temp.Path, "not", "yet", "there"));

        await SchemaInstaller.ApplyAsync(options, CancellationToken.None);
        await using var observer = (SqliteConnection)await SchemaInstaller.OpenAsync(options);
        var before = await SqliteSnapshotAsync(observer);
        var dataVersion = await ScalarAsync(observer, "PRAGMA data_version");

        await SchemaInstaller.ApplyAsync(options, CancellationToken.None);

        Assert.Equal(before, await SqliteSnapshotAsync(observer));
        // data_version moves when another connection commits a change to the file: the second run committed none.
        Assert.Equal(dataVersion, await ScalarAsync(observer, "PRAGMA data_version"));
        Assert.Equal("wal", await ScalarAsync(observer, "PRAGMA journal_mode"));
        Assert.Equal(PersistenceQueries.Concat(ClusteringQueries).Order(StringComparer.Ordinal), await QueryKeysAsync(observer));
    }

    [PostgresFact]
    public async Task Postgres_schema_applies_twice_and_the_second_run_changes_nothing()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var options = database.Options();

        await SchemaInstaller.ApplyAsync(options, CancellationToken.None);
        await using var observer = await SchemaInstaller.OpenAsync(options);
        var before = await PostgresSnapshotAsync(observer);

        await SchemaInstaller.ApplyAsync(options, CancellationToken.None);

        // The snapshot includes each OrleansQuery row's xmin: equal means the rows were not even rewritten.
        Assert.Equal(before, await PostgresSnapshotAsync(observer));
        Assert.Equal(
            PersistenceQueries.Concat(ClusteringQueries).Concat(ReminderQueries).Order(StringComparer.Ordinal),
            (await QueryKeysAsync(observer)).Order(StringComparer.Ordinal));
    }

    [PostgresFact]
    public async Task Postgres_schema_applies_from_several_silos_at_once()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var options = database.Options();

        // Without the advisory lock, concurrent CREATE OR REPLACE FUNCTION fails with "tuple concurrently updated".
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SchemaInstaller.ApplyAsync(options, CancellationToken.None))));

        await using var observer = await SchemaInstaller.OpenAsync(options);
        Assert.Equal(PersistenceQueries.Length + ClusteringQueries.Length + ReminderQueries.Length, (await QueryKeysAsync(observer)).Count);
    }

    private static async Task<List<string>> SqliteSnapshotAsync(DbConnection connection) =>
    [
        .. await RowsAsync(connection, "SELECT type, name, sql FROM sqlite_master ORDER BY name"),
        .. await RowsAsync(connection, "SELECT QueryKey, QueryText FROM OrleansQuery ORDER BY QueryKey"),
    ];

    private static async Task<List<string>> PostgresSnapshotAsync(DbConnection connection) =>
    [
        .. await RowsAsync(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"),
        .. await RowsAsync(connection, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"),
        .. await RowsAsync(connection, """
            SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' ORDER BY 1
            """),
        .. await RowsAsync(connection, "SELECT QueryKey, QueryText, xmin::text FROM OrleansQuery ORDER BY QueryKey"),
    ];

    private static async Task<List<string>> QueryKeysAsync(DbConnection connection) =>
        await RowsAsync(connection, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey");

    private static async Task<List<string>> RowsAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : reader.GetValue(i).ToString())));
        return rows;
    }

    private static async Task<string?> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
