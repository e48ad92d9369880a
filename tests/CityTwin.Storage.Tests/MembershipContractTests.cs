using System.Data.Common;

namespace CityTwin.Storage.Tests;

/// <summary>
/// The compare-and-swap contract of the membership queries, run as Orleans runs them (the stored query text, named
/// parameters, a single boolean back): a change that names a stale table version changes nothing; heartbeats do
/// not move the version. On SQLite the version moves through triggers, so this is where a mistake would show.
/// </summary>
public class MembershipContractTests
{
    [Fact]
    public async Task Sqlite_membership_changes_are_compare_and_swap_on_the_table_version()
    {
        using var temp = new TempDirectory();
        await KeepsTheVersionContract(TestStorage.Sqlite(temp.Path));
    }

    [PostgresFact]
    public async Task Postgres_membership_changes_are_compare_and_swap_on_the_table_version()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await KeepsTheVersionContract(database.Options());
    }

    private static async Task KeepsTheVersionContract(StorageOptions options)
    {
        await SchemaInstaller.ApplyAsync(options, CancellationToken.None);
        await using var db = await SchemaInstaller.OpenAsync(options);
        var now = DateTime.UtcNow;

        Assert.True(await RunAsync(db, "InsertMembershipVersionKey", new() { ["DeploymentId"] = "c" }));
        Assert.False(await RunAsync(db, "InsertMembershipVersionKey", new() { ["DeploymentId"] = "c" }));
        Assert.Equal(0, await VersionAsync(db));

        Dictionary<string, object?> Silo(int port, int version) => new()
        {
            ["DeploymentId"] = "c", ["Address"] = "127.0.0.1", ["Port"] = port, ["Generation"] = 1, ["SiloName"] = $"s{port}",
            ["HostName"] = "h", ["Status"] = 3, ["ProxyPort"] = port + 1, ["StartTime"] = now, ["IAmAliveTime"] = now, ["Version"] = version,
        };
        Assert.True(await RunAsync(db, "InsertMembershipKey", Silo(1000, version: 0)));
        Assert.Equal(1, await VersionAsync(db));
        Assert.False(await RunAsync(db, "InsertMembershipKey", Silo(2000, version: 0)), "a stale version must not insert");
        Assert.False(await RunAsync(db, "InsertMembershipKey", Silo(1000, version: 1)), "an existing row must not insert");
        Assert.Equal(1, await VersionAsync(db));
        Assert.True(await RunAsync(db, "InsertMembershipKey", Silo(2000, version: 1)));
        Assert.Equal(2, await VersionAsync(db));

        Dictionary<string, object?> Update(int port, int status, int version) => new()
        {
            ["DeploymentId"] = "c", ["Address"] = "127.0.0.1", ["Port"] = port, ["Generation"] = 1, ["Status"] = status,
            ["SuspectTimes"] = null, ["IAmAliveTime"] = now, ["Version"] = version,
        };
        Assert.False(await RunAsync(db, "UpdateMembershipKey", Update(2000, status: 6, version: 1)), "a stale version must not update");
        Assert.False(await RunAsync(db, "UpdateMembershipKey", Update(3000, status: 6, version: 2)), "a missing row must not update");
        Assert.Equal(2, await VersionAsync(db));
        Assert.True(await RunAsync(db, "UpdateMembershipKey", Update(2000, status: 6, version: 2)));
        Assert.Equal(3, await VersionAsync(db));

        // Heartbeats and clean-up leave the version alone; clean-up removes dead silos only.
        await RunAsync(db, "UpdateIAmAlivetimeKey", new()
        {
            ["DeploymentId"] = "c", ["Address"] = "127.0.0.1", ["Port"] = 1000, ["Generation"] = 1, ["IAmAliveTime"] = now.AddMinutes(1),
        });
        await RunAsync(db, "CleanupDefunctSiloEntriesKey", new() { ["DeploymentId"] = "c", ["IAmAliveTime"] = now.AddSeconds(30) });
        Assert.Equal(3, await VersionAsync(db));
        Assert.Equal(["1000"], await ListAsync(db, "SELECT Port FROM OrleansMembershipTable ORDER BY Port"));
        Assert.Equal(["127.0.0.1|1001|1"], await ListAsync(db, "GatewaysQueryKey", new() { ["DeploymentId"] = "c", ["Status"] = 3 }));
    }

    private static async Task<int> VersionAsync(DbConnection db) =>
        int.Parse((await ListAsync(db, "SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = 'c'")).Single());

    /// <summary>Runs a stored query by key; returns its single boolean result (false when it returns none).</summary>
    private static async Task<bool> RunAsync(DbConnection db, string key, Dictionary<string, object?> parameters)
    {
        var rows = await ListAsync(db, key, parameters);
        return rows.Count > 0 && Convert.ToBoolean(long.Parse(rows[0]));
    }

    private static async Task<List<string>> ListAsync(DbConnection db, string keyOrSql, Dictionary<string, object?>? parameters = null)
    {
        await using var command = db.CreateCommand();
        command.CommandText = parameters is null ? keyOrSql : await QueryTextAsync(db, keyOrSql);
        foreach (var (name, value) in parameters ?? [])
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        do
        {
            while (await reader.ReadAsync())
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i)))));
        } while (await reader.NextResultAsync());
        return rows;
    }

    private static async Task<string> QueryTextAsync(DbConnection db, string key)
    {
        await using var command = db.CreateCommand();
        command.CommandText = $"SELECT QueryText FROM OrleansQuery WHERE QueryKey = '{key}'";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
