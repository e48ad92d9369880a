using Npgsql;

namespace CityTwin.Storage.Tests;

/// <summary>A throwaway PostgreSQL database; dropped on dispose, closing whatever connections remain.</summary>
public sealed class TestDatabase(string server, string name) : IAsyncDisposable
{
    public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;

    public StorageOptions Options(string clusterId = "citytwin") =>
        new() { Provider = StorageProvider.PostgreSql, ConnectionString = ConnectionString, ClusterId = clusterId };

    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
