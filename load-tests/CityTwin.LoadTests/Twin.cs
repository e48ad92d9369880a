using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.GeoJson;

namespace CityTwin.LoadTests;

/// <summary>A silo and an API as separate processes on one SQLite file, like the embedded default.</summary>
public sealed class Twin : IAsyncDisposable
{
    public required ChildProcess Silo { get; init; }
    public required ChildProcess Api { get; init; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(10) };
    public required AdminKey Admin { get; init; }
    private string[] _apiArgs = [];

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The import endpoint takes up to 512 MiB; 100,000 assets are about 52 MB.</summary>
    private const int ImportChunk = 100_000;

    /// <summary>
    /// Imports the assets through <c>POST /api/import</c>, in chunks of 100,000 in the given order (the generator's:
    /// every dependency before its dependents, so each chunk validates against what earlier chunks brought).
    /// </summary>
    public async Task ImportAsync(IReadOnlyList<Asset> assets)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < assets.Count; i += ImportChunk)
        {
            using var buffer = new MemoryStream();
            await GeoJsonWriter.WriteAsync(buffer, assets.Skip(i).Take(ImportChunk), CancellationToken.None);
            using var response = await Http.PostAsync("/api/import",
                new ByteArrayContent(buffer.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/geo+json") } });
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"import failed: {await response.Content.ReadAsStringAsync()}");
            if (assets.Count > ImportChunk)
                Console.WriteLine($"imported {Math.Min(i + ImportChunk, assets.Count):N0} of {assets.Count:N0} ({clock.Elapsed.TotalSeconds:0} s)");
        }
    }

    public static Task<Twin> StartAsync(string dataDirectory, params string[] extra) => StartAsync(dataDirectory, extra, []);

    /// <summary>With options for the API process only (<paramref name="apiExtra"/>), e.g. its content root for the console.</summary>
    public static async Task<Twin> StartAsync(string dataDirectory, string[] extra, string[] apiExtra)
    {
        var gateway = ChildProcess.FreePort();
        var admin = AdminKey.New();
        string[] defaults = ["--Storage:Provider=Sqlite", $"--Storage:DataDirectory={dataDirectory}", $"--Silo:GatewayPort={gateway}",
                             "--Logging:LogLevel:Default=Warning", admin.Argument];
        string[] common = [.. defaults, .. extra];
        // The extra options come last, so they may set the silo's own too (e.g. its port, kept across a restart).
        var silo = await ChildProcess.StartAsync(Dll("CityTwin.Silo"), [.. defaults, $"--Silo:Port={ChildProcess.FreePort()}", "--Seed:Assets=0", .. extra]);
        var api = await ChildProcess.StartAsync(Dll("CityTwin.Api"), [.. common, .. apiExtra]);
        var twin = new Twin { Silo = silo, Api = api, Admin = admin, _apiArgs = common };
        twin.Http.BaseAddress = new Uri(api.Url);
        admin.Authorize(twin.Http);
        return twin;
    }

    /// <summary>
    /// Waits until the silo and the API together use under a quarter of a core for a second (an import leaves the silo
    /// writing state for a few seconds; a settled 10,000-asset twin uses 0.12–0.2 of a core for its traffic model and
    /// timers), at most <paramref name="max"/>; returns how long it took.
    /// </summary>
    public async Task<TimeSpan> QuietAsync(TimeSpan max)
    {
        var waited = Stopwatch.StartNew();
        var before = Silo.CpuTime() + Api.CpuTime();
        while (waited.Elapsed < max)
        {
            await Task.Delay(1000);
            var now = Silo.CpuTime() + Api.CpuTime();
            if (now - before < TimeSpan.FromMilliseconds(250)) break;
            before = now;
        }
        return waited.Elapsed;
    }

    /// <summary>Waits until <c>/api/stats</c> counts <paramref name="expected"/> assets (the read model has every one).</summary>
    public async Task UntilCountedAsync(int expected, TimeSpan max)
    {
        var clock = Stopwatch.StartNew();
        var counted = -1;
        while (clock.Elapsed < max)
        {
            try
            {
                var stats = JsonNode.Parse(await Http.GetStringAsync("/api/stats"))!;
                if ((counted = (int)stats["city"]!["assets"]!) == expected) return;
            }
            catch (HttpRequestException) { } // 503 while the API's first district reports arrive
            await Task.Delay(200);
        }
        throw new TimeoutException($"the read model counted {counted:N0} assets of {expected:N0} after {max}");
    }

    /// <summary>Another API process on the same silo and storage, with more options; the caller disposes it.</summary>
    public Task<ChildProcess> StartAnotherApiAsync(params string[] extra) => ChildProcess.StartAsync(Dll("CityTwin.Api"), [.. _apiArgs, .. extra]);

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
