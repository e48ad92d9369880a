using Microsoft.Extensions.Configuration;

namespace CityTwin.Storage;

/// <summary>Where the twin keeps its state; bound from the "Storage" configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;
    /// <summary>Overrides the SQLite file; required for PostgreSQL (else <c>ConnectionStrings:citytwin</c>).</summary>
    public string? ConnectionString { get; set; }
    public string DataDirectory { get; set; } = "data";
    public string ClusterId { get; set; } = "citytwin";
    public string ServiceId { get; set; } = "citytwin";
    /// <summary>
    /// SQLite's sync mode for grain writes. NORMAL (WAL): a write survives a process crash, and a power cut may
    /// lose the last moments; FULL: fsync on every write, durable against power loss too, several times slower.
    /// </summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Normal;

    /// <summary>
    /// The ADO.NET invariant Orleans loads the driver by. For SQLite Orleans 10.4 knows only the historical name
    /// "System.Data.SQLite", which it maps to the Microsoft.Data.Sqlite assembly; "Microsoft.Data.Sqlite" is rejected.
    /// </summary>
    public string Invariant => Provider == StorageProvider.Sqlite ? "System.Data.SQLite" : "Npgsql";

    public static StorageOptions FromConfiguration(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<StorageOptions>() ?? new StorageOptions();
        options.ConnectionString ??= options.Provider switch
        {
            // A generous busy timeout: grains write concurrently and SQLite has one writer at a time.
            StorageProvider.Sqlite => $"Data Source={Path.GetFullPath(Path.Combine(options.DataDirectory, "citytwin.db"))};Default Timeout=60;Pooling=True",
            _ => configuration.GetConnectionString("citytwin")
                 ?? throw new InvalidOperationException("Storage:Provider is PostgreSql but neither Storage:ConnectionString nor ConnectionStrings:citytwin is set."),
        };
        return options;
    }
}
