using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace CityTwin.AppHost.Tests;

public sealed class AppHostTests
{
    [Fact]
    public async Task The_apphost_starts_a_seeded_twin_that_answers_queries()
    {
        var data = Directory.CreateTempSubdirectory("citytwin-apphost-").FullName;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CityTwin_AppHost>(
            [$"--CityTwin:DataDirectory={data}", "--CityTwin:SeedAssets=1000"], cts.Token);
        await using var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("silo", cts.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", cts.Token);

        using var http = app.CreateHttpClient("api");
        // Seeding runs in the background after the silo starts: wait for the city to appear.
        JsonArray districts;
        do
        {
            await Task.Delay(500, cts.Token);
            districts = (await http.GetFromJsonAsync<JsonArray>("/api/districts", cts.Token))!;
        } while (districts.Sum(d => (int)d!["total"]!) < 950);

        var intersection = await http.GetFromJsonAsync<JsonObject>("/api/assets/int-0001", cts.Token);
        Assert.Equal("intersection", (string?)intersection!["type"]);
        Assert.True(File.Exists(Path.Combine(data, "citytwin.db")));
        var metrics = await (await app.CreateHttpClient("silo").GetAsync("/metrics", cts.Token)).Content.ReadAsStringAsync(cts.Token);
        Assert.Contains("orleans_", metrics);
    }
}
