using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CityTwin.Storage;

/// <summary>
/// Whether the cluster's connection pools fit the PostgreSQL server: processes × pool size against max_connections less
/// the superuser reserve. A cluster that does not fit starts, then fails under load with 53300 "too many clients" —
/// so each process says so at start, naming the settings to change.
/// </summary>
public static partial class ConnectionBudget
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Connection pools do not fit the PostgreSQL server: {Problem}")]
    public static partial void LogOverBudget(ILogger logger, string problem);

    /// <summary>A message when the pools do not fit (or the server cannot be asked), null when they do or on SQLite.</summary>
    public static async Task<string?> CheckAsync(StorageOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Provider != StorageProvider.PostgreSql) return null;
        var pool = new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxPoolSize;
        await using var connection = (NpgsqlConnection)await SchemaInstaller.OpenAsync(options, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int", connection);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        var (max, reserved) = (row.GetInt32(0), row.GetInt32(1));
        var available = max - reserved;
        var needed = options.Processes * pool;
        return needed <= available
            ? null
            : $"{options.Processes} process(es) × a pool of {pool} connections = {needed}, but the server allows {available} " +
              $"(max_connections {max} − {reserved} reserved): under load some will fail with 53300. Set Storage:MaxPoolSize ≤ {Math.Max(1, available / options.Processes)} " +
              "(the AppHost does, from CityTwin:PostgresMaxConnections), or raise max_connections.";
    }
}

/// <summary>The same check in a process that is not a silo (the API), once at start, without holding the start up.</summary>
public sealed partial class ConnectionBudgetCheck(StorageOptions options, ILogger<ConnectionBudgetCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await ConnectionBudget.CheckAsync(options, stoppingToken) is { } overBudget) ConnectionBudget.LogOverBudget(logger, overBudget);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogUnchecked(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the connection pools against the server: {Reason}")]
    private static partial void LogUnchecked(ILogger logger, string reason);
}
