using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using CityTwin.Domain.GeoJson;

namespace CityTwin.Observability.Tests;

/// <summary>
/// One in-process twin, driven through the API, scraped twice: after 200 assets were imported and read, and again
/// after 1,000 more. The second scrape shows whether any series grows with the number of assets.
/// In one process the OpenTelemetry meter providers of both hosts listen to every meter of a given name, so each
/// scrape here also holds the other host's HTTP and Orleans series; as separate processes (the product) they do not.
/// Another host in the same process must not run meanwhile: when it stops, its meters' disposal ends the shared series
/// in these hosts' providers too (the API's request durations went missing), so such tests join this collection.
/// </summary>
public sealed class ScrapeFixture : IAsyncLifetime
{
    private TwinHost _twin = null!;

    public IReadOnlyList<Asset> Assets { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_200, Seed = 5 }).Assets;
    public Exposition SiloBefore { get; private set; } = null!;
    public Exposition SiloAfter { get; private set; } = null!;
    public Exposition ApiAfter { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _twin = await TwinHost.StartAsync(TwinStorage.TempSqlite());
        // Both rounds make the same kinds of requests, so only the number of assets differs between the scrapes.
        await ExerciseAsync(Assets.Take(200).ToList());
        SiloBefore = await ScrapeAsync(_twin.SiloHttp);
        await ExerciseAsync(Assets.Skip(200).ToList());
        SiloAfter = await ScrapeAsync(_twin.SiloHttp);
        ApiAfter = await ScrapeAsync(_twin.Http);
    }

    public async Task DisposeAsync() => await _twin.DisposeAsync();

    public static async Task<Exposition> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return new Exposition(await response.Content.ReadAsStringAsync());
    }

    private async Task ExerciseAsync(IReadOnlyList<Asset> assets)
    {
        using var buffer = new MemoryStream();
        await GeoJsonWriter.WriteAsync(buffer, assets, CancellationToken.None);
        using var imported = await _twin.Http.PostAsync("/api/import", new ByteArrayContent(buffer.ToArray())
        {
            Headers = { ContentType = new("application/geo+json") },
        });
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        // Read every asset, and change a few statuses: every grain has been active and every path has run.
        foreach (var chunk in assets.Chunk(50))
            await Task.WhenAll(chunk.Select(a => _twin.Http.GetFromJsonAsync<JsonObject>($"/api/assets/{a.Id}")));
        foreach (var asset in assets.Take(10))
            (await _twin.Http.PostAsync($"/api/assets/{asset.Id}/status", JsonContent.Create(new { status = "offline" }))).EnsureSuccessStatusCode();
        // A 404, so the API's request-duration metric carries more than one status code; and a scrape of each.
        using var missing = await _twin.Http.GetAsync("/api/assets/no-such-asset-0001");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        await ScrapeAsync(_twin.Http);
        await ScrapeAsync(_twin.SiloHttp);
    }
}
