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
    // Any constant works; it only has to be the same in every silo ("City" in ASCII).
    private const long AdvisoryLockKey = 0x43_69_74_79;

    /// <summary>
    /// Creates what is missing (the SQLite file and its folder, tables, indexes, functions, the stored queries) and
    /// leaves what exists alone. Safe to run from several silos at once on PostgreSQL.
    /// </summary>
    public static async Task ApplyAsync(StorageOptions options, CancellationToken cancellationToken = default)
    {
        var scripts = Scripts(options.Provider).ToList();
        if (scripts.Count == 0) throw new InvalidOperationException($"No embedded schema scripts found for {options.Provider}.");

        await using var connection = await OpenAsync(options, cancellationToken);
        if (options.Provider == StorageProvider.Sqlite)
        {
            // WAL lets reads proceed while a grain writes. It is a property of the file (so set once, here) and
            // cannot change inside a transaction.
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", null, cancellationToken);
            var synchronous = options.SqliteSynchronous.ToString().ToUpperInvariant();
            scripts = scripts.ConvertAll(script => script.Replace("{synchronous}", synchronous));
        }

        // One transaction: a failed start leaves no half-made schema behind.
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (options.Provider == StorageProvider.PostgreSql)
        {
            // Silos starting together must not interleave their DDL (CREATE OR REPLACE FUNCTION from two sessions
            // fails with "tuple concurrently updated"). The lock ends with the transaction, even if the silo dies.
            await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey});", tx, cancellationToken);
        }
        foreach (var script in scripts) await ExecuteAsync(connection, script, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
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

    /// <summary>The scripts of one provider (embedded from Scripts/&lt;folder&gt;/), in file-name order.</summary>
    internal static IEnumerable<string> Scripts(StorageProvider provider)
    {
        var folder = provider == StorageProvider.Sqlite ? "Sqlite" : "PostgreSQL";
        var assembly = typeof(SchemaInstaller).Assembly;
        // The resource names keep the folder with the OS's separator (see the csproj's LogicalName).
        foreach (var name in assembly.GetManifestResourceNames()
                     .Where(n => n.StartsWith(folder + "/", StringComparison.Ordinal) || n.StartsWith(folder + "\\", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return reader.ReadToEnd();
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, DbTransaction? tx, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        await command.ExecuteNonQueryAsync(ct);
    }
}
