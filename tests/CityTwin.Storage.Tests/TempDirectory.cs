namespace CityTwin.Storage.Tests;

/// <summary>A folder under the system temp folder, deleted (best effort) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"citytwin-storage-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a pooled SQLite connection may still hold the file on some platforms
    }
}
