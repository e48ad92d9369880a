namespace CityTwin.Observability.Tests;

/// <summary>Where the files under test are: found by walking up from the test binaries to CityTwin.sln.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Observability => Path.Combine(Root, "aspire", "observability");

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "CityTwin.sln"))) return dir.FullName;
        throw new InvalidOperationException($"CityTwin.sln not found above {AppContext.BaseDirectory}");
    }
}
