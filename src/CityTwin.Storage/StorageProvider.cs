namespace CityTwin.Storage;

public enum StorageProvider
{
    /// <summary>One SQLite file: the embedded single-machine default (grain storage and membership; silos on one machine).</summary>
    Sqlite,
    /// <summary>PostgreSQL: grain storage, clustering and reminders, for clusters.</summary>
    PostgreSql,
}
