using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CityTwin.Storage;

/// <summary>
/// Applies the project's schema scripts (embedded, idempotent) so that a fresh database needs no manual step
/// and a second start changes nothing.
/// </summary>
public static class SchemaInstaller
{
    // Any constant works; it only has to be the same in every silo.
    private const long AdvisoryLockKey = 0x43_69_74_79;

    public static async Task ApplyAsync(StorageOptions options, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(options, cancellationToken);
        if (options.Provider == StorageProvider.PostgreSql)
        {
            // Silos starting together must not interleave CREATE statements.
            await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey});", cancellationToken);
            try
            {
                foreach (var script in Scripts("PostgreSql")) await ExecuteAsync(connection, script, cancellationToken);
            }
            finally
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey});", CancellationToken.None);
            }
        }
        else
        {
            // WAL (a property of the file, so set once here) lets reads proceed while a grain writes.
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var synchronous = options.SqliteSynchronous.ToString().ToUpperInvariant();
            foreach (var script in Scripts("Sqlite")) await ExecuteAsync(connection, script.Replace("{synchronous}", synchronous), cancellationToken, tx);
            await tx.CommitAsync(cancellationToken);
        }
    }

    public static async Task<DbConnection> OpenAsync(StorageOptions options, CancellationToken cancellationToken = default)
    {
        DbConnection connection;
        if (options.Provider == StorageProvider.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder) Directory.CreateDirectory(folder);
            connection = new SqliteConnection(options.ConnectionString);
        }
        else
        {
            connection = new NpgsqlConnection(options.ConnectionString);
        }
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>The scripts of one provider, in file-name order.</summary>
    internal static IEnumerable<string> Scripts(string provider)
    {
        var assembly = typeof(SchemaInstaller).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(provider + "/", StringComparison.Ordinal) || n.StartsWith(provider + "\\", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return reader.ReadToEnd();
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct, DbTransaction? tx = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        await command.ExecuteNonQueryAsync(ct);
    }
}
