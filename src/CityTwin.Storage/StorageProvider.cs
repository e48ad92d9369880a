namespace CityTwin.Storage;

public enum StorageProvider
{
    /// <summary>One SQLite file: the embedded single-machine default (grain storage only; one silo).</summary>
    Sqlite,
    /// <summary>PostgreSQL: grain storage, clustering and reminders, for clusters.</summary>
    PostgreSql,
}
