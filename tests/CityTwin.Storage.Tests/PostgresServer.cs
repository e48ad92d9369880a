using Npgsql;

namespace CityTwin.Storage.Tests;

/// <summary>
/// The PostgreSQL named by CITYTWIN_TEST_POSTGRES (started by .ci/start-postgres.sh). Each test gets a fresh
/// database on that server, dropped afterwards, so tests neither see each other's rows nor depend on order.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "CITYTWIN_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && !ci.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>Creates an empty database; fails (never skips) when the server is not set or not reachable.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var server = ConnectionString ?? throw new InvalidOperationException(
            $"{Variable} must name a reachable PostgreSQL when CI is set (see .ci/start-postgres.sh).");
        var name = $"citytwin_storage_{Guid.NewGuid():N}"[..30];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new TestDatabase(server, name);
    }
}
