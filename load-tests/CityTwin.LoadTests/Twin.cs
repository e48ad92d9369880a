namespace CityTwin.LoadTests;

/// <summary>A silo and an API as separate processes on one SQLite file, like the embedded default.</summary>
public sealed class Twin : IAsyncDisposable
{
    public required ChildProcess Silo { get; init; }
    public required ChildProcess Api { get; init; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(10) };

    public static string RepoRoot { get; } = FindRepoRoot();

    public static async Task<Twin> StartAsync(string dataDirectory, params string[] extra)
    {
        var gateway = ChildProcess.FreePort();
        string[] common = ["--Storage:Provider=Sqlite", $"--Storage:DataDirectory={dataDirectory}", $"--Silo:GatewayPort={gateway}",
                           "--Logging:LogLevel:Default=Warning", .. extra];
        var silo = await ChildProcess.StartAsync(Dll("CityTwin.Silo"), [.. common, $"--Silo:Port={ChildProcess.FreePort()}", "--Seed:Assets=0"]);
        var api = await ChildProcess.StartAsync(Dll("CityTwin.Api"), common);
        var twin = new Twin { Silo = silo, Api = api };
        twin.Http.BaseAddress = new Uri(api.Url);
        return twin;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
    }

    private static string Dll(string project) =>
        Path.Combine(RepoRoot, "src", project, "bin", "Release", "net10.0", $"{project}.dll");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityTwin.sln"))) return dir.FullName;
        throw new InvalidOperationException("CityTwin.sln not found above " + AppContext.BaseDirectory);
    }
}
