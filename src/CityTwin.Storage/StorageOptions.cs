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
    /// PostgreSQL: the most connections this process opens (Npgsql's pool), <see cref="DefaultMaxPoolSize"/> unless set
    /// here or in the connection string. Every process of a cluster has its own pool, so <see cref="Processes"/> × this
    /// must stay under the server's max_connections — checked at start. The AppHost sizes it from the server and the
    /// number of silos, up to the default.
    /// </summary>
    public int? MaxPoolSize { get; set; }

    /// <summary>
    /// The pool a process gets when nothing sets it: a silo batches its asset reads and writes and gates its audit
    /// statements, so a handful of connections carries its load (the failover benchmark's 16 writers needed no more
    /// than 4). Npgsql's own default, 100, let start-up's bursts open 10–16 connections a silo and keep them; each is a
    /// server process, and all of a dead silo's exit at once — on a machine the database shares with the survivors,
    /// 8–15 ms of CPU apiece in the hundred milliseconds after the silo's sockets close.
    /// </summary>
    public const int DefaultMaxPoolSize = 8;

    /// <summary>How many processes share the server (silos + API processes), for the start-up check.</summary>
    public int Processes { get; set; } = 1;

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
        if (options.Provider == StorageProvider.PostgreSql)
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
            // Npgsql's ContainsKey is true for every keyword it knows; its Keys are those the string sets, each by its
            // canonical name whichever synonym was written (MaxPoolSize, Maximum Pool Size).
            if (options.MaxPoolSize is not null || !builder.Keys.Cast<string>().Contains(PoolSizeKeyword))
            {
                builder.MaxPoolSize = options.MaxPoolSize ?? DefaultMaxPoolSize;
                options.ConnectionString = builder.ConnectionString;
            }
        }
        return options;
    }

    private const string PoolSizeKeyword = "Maximum Pool Size";
}
