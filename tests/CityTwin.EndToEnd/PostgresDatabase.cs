using Npgsql;

namespace CityTwin.EndToEnd;

/// <summary>
/// The PostgreSQL that CI starts (connection string in CITYTWIN_TEST_POSTGRES). Under CI the variable must be
/// set and the server reachable — a missing database fails the test instead of silently skipping it.
/// </summary>
public static class PostgresDatabase
{
    public const string Variable = "CITYTWIN_TEST_POSTGRES";

    /// <summary>A fresh database for one test, or null on a developer machine without PostgreSQL.</summary>
    public static async Task<string?> CreateFreshAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(server))
        {
            Assert.False(IsCi, $"CI must set {Variable} to a reachable PostgreSQL (see .ci/start-postgres.sh)");
            return null;
        }
        var name = $"citytwin_{Guid.NewGuid():N}"[..24];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(); // throws if unreachable: the test fails, as it should
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";
}
