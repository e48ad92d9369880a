using Microsoft.Extensions.Configuration;

namespace CityTwin.Storage.Tests;

public class StorageOptionsTests
{
    [Fact]
    public void Defaults_to_a_sqlite_file_in_the_data_folder()
    {
        var options = StorageOptions.FromConfiguration(Configuration());

        Assert.Equal(StorageProvider.Sqlite, options.Provider);
        Assert.Equal(("data", "citytwin", "citytwin"), (options.DataDirectory, options.ClusterId, options.ServiceId));
        Assert.Contains($"Data Source={Path.GetFullPath(Path.Combine("data", "citytwin.db"))}", options.ConnectionString);
        Assert.Equal("System.Data.SQLite", options.Invariant);
    }

    [Fact]
    public void Postgres_falls_back_to_the_citytwin_connection_string()
    {
        var options = StorageOptions.FromConfiguration(Configuration(
            ("Storage:Provider", "PostgreSql"), ("ConnectionStrings:citytwin", "Host=db;Database=twin")));

        Assert.Equal(StorageProvider.PostgreSql, options.Provider);
        Assert.Equal($"Host=db;Database=twin;Maximum Pool Size={StorageOptions.DefaultMaxPoolSize}", options.ConnectionString);
        Assert.Equal("Npgsql", options.Invariant);
    }

    [Fact]
    public void Postgres_without_a_connection_string_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageOptions.FromConfiguration(Configuration(("Storage:Provider", "PostgreSql"))));
        Assert.Contains("ConnectionStrings:citytwin", error.Message);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
