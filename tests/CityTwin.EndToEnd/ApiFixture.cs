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
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite());
        var response = await Http.PostAsync("/api/import", new ByteArrayContent(await ToGeoJsonAsync(City.Assets))
        {
            Headers = { ContentType = new("application/geo+json") },
        });
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
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
