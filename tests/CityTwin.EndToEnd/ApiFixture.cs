using System.Text;
using CityTwin.Domain.City;
using CityTwin.Domain.GeoJson;

namespace CityTwin.EndToEnd;

/// <summary>One running twin on a temporary SQLite file, loaded with a small generated city through the API.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 7 });
    public HttpClient Http => Twin.Http;

    public async Task InitializeAsync()
    {
        // Scenarios, sweeps, optimisations and snapshots share one budget (5/s, burst 10) and every test class of this
        // fixture spends it with one key: on a slow CI machine two classes' POSTs once met within a second and were
        // refused with 429. RateLimitTests test the limits, with a host of their own.
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(), "--Api:RateLimits:Scenarios:Burst=100");
        var response = await ImportAsync(Http, City.Assets);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await Twin.DisposeAsync();

    public static async Task<byte[]> ToGeoJsonAsync(IEnumerable<Asset> assets)
    {
        using var buffer = new MemoryStream();
        await GeoJsonWriter.WriteAsync(buffer, assets, CancellationToken.None);
        return buffer.ToArray();
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>
    /// A GET that, like a well-behaved client, sends again after a 503's Retry-After: right after a restart on a loaded
    /// CI machine's shared PostgreSQL, a burst of activations can find the server briefly out of connections, which the
    /// twin answers with 503.
    /// </summary>
    public static async Task<string> GetStringAsync(HttpClient http, string path)
    {
        using var response = await AgainAfter503Async(() => http.GetAsync(path));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// Imports as the API asks of every client: a 503 is sent again after its Retry-After (an import is idempotent; on a
    /// loaded CI machine a first import on a fresh PostgreSQL database has answered 503 now and then). The last answer.
    /// </summary>
    public static async Task<HttpResponseMessage> ImportAsync(HttpClient http, IEnumerable<Asset> assets)
    {
        var body = await ToGeoJsonAsync(assets);
        return await AgainAfter503Async(() => http.PostAsync("/api/import", new ByteArrayContent(body) { Headers = { ContentType = new("application/geo+json") } }));
    }

    /// <summary>Sends, and sends again after a 503's Retry-After (twice at most); the last answer.</summary>
    private static async Task<HttpResponseMessage> AgainAfter503Async(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == 3) return response;
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
            response.Dispose();
            await Task.Delay(wait);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
