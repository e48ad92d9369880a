using Microsoft.Extensions.Configuration;

namespace CityTwin.Storage.Tests;

public static class TestStorage
{
    /// <summary>SQLite options as the silo gets them: from the "Storage" configuration section.</summary>
    public static StorageOptions Sqlite(string dataDirectory) =>
        StorageOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = dataDirectory })
            .Build());
}
