using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;
using CityTwin.Domain.Queries;
using CityTwin.Domain.Serialization;

namespace CityTwin.EndToEnd;

/// <summary>A twin with a generated city whose poles, cameras and links have been sent varied telemetry.</summary>
public sealed class QueryFixture : IAsyncLifetime
{
    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 3_000, Seed = 21 });
    public HttpClient Http => Twin.Http;

    public async Task InitializeAsync()
    {
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite());
        var response = await ApiFixture.ImportAsync(Http, City.Assets);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var random = new Random(21);
        await Parallel.ForEachAsync(City.Assets.Where(_ => random.Next(3) == 0).ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (asset, ct) =>
        {
            var seed = asset.Id.GetHashCode() & 0xffff;
            object? reading = asset.Type switch
            {
                AssetType.Pole => new { timestamp = DateTimeOffset.UtcNow, lampOn = true, dimLevel = seed % 101 },
                AssetType.Camera => new { timestamp = DateTimeOffset.UtcNow, frameRate = seed % 31, vehicleCount = seed % 40 },
                AssetType.Link => new { timestamp = DateTimeOffset.UtcNow, latencyMs = 20 + seed % 120, packetLossPct = seed % 5 },
                _ => null,
            };
            if (reading is null) return;
            var sent = await Http.PostJsonAsync($"/api/assets/{asset.Id}/telemetry", reading);
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
        });
    }

    /// <summary>Every asset's live state, read one by one from its grain: the oracle's truth.</summary>
    public async Task<List<Asset>> LiveAssetsAsync()
    {
        var assets = new Asset[City.Assets.Count];
        await Parallel.ForAsync(0, assets.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            assets[i] = JsonSerializer.Deserialize<Asset>(await Http.GetStringAsync($"/api/assets/{City.Assets[i].Id}", ct), CityTwinJson.Options)!);
        return [.. assets];
    }

    public async Task DisposeAsync() => await Twin.DisposeAsync();
}

public sealed class QueryApiTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Random_queries_through_the_api_equal_a_scan_of_every_assets_live_state()
    {
        var random = new Random(4);
        var live = await fixture.LiveAssetsAsync();
        var failures = new List<string>();
        for (var q = 0; q < 40; q++)
        {
            var (url, query) = RandomQuery(random, live);
            // The read model trails the grains by stream delivery: a mismatch must go away on its own.
            var matched = false;
            for (var attempt = 0; attempt < 20 && !matched; attempt++)
            {
                var expected = Expected(live, query);
                var actual = await PageThroughAsync(url);
                matched = expected.SequenceEqual(actual);
                if (!matched)
                {
                    await Task.Delay(100);
                    if (attempt == 19) failures.Add($"{url}: expected {expected.Count} ({string.Join(",", expected.Take(5))}…), got {actual.Count} ({string.Join(",", actual.Take(5))}…)");
                }
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Paging_while_assets_change_never_repeats_an_asset_nor_skips_one_that_kept_matching()
    {
        var live = await fixture.LiveAssetsAsync();
        var poles = live.Where(a => a.Type == AssetType.Pole).ToList();
        var district = poles.GroupBy(p => p.District).OrderByDescending(g => g.Count()).First();
        var url = $"/api/assets?type=pole&district={district.Key}&limit=25";
        var atStart = (await PageThroughAsync(url)).ToHashSet();
        var touched = new HashSet<string>();
        var seen = new List<string>();
        var random = new Random(9);
        string? next = url;
        while (next is not null)
        {
            var page = await Json.ReadAsync(await Http.GetAsync(next));
            seen.AddRange(page["items"]!.AsArray().Select(i => (string)i!["id"]!));
            next = (string?)page["next"];
            // Meanwhile operators and devices change poles of the district.
            foreach (var pole in district.OrderBy(_ => random.Next()).Take(5))
            {
                touched.Add(pole.Id);
                await Http.PostJsonAsync($"/api/assets/{pole.Id}/status", new { status = random.Next(2) == 0 ? "maintenance" : "operational" });
            }
        }
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), atStart.Except(touched).ToHashSet());
    }

    [Fact]
    public async Task Near_returns_assets_by_distance_within_the_radius()
    {
        var centre = fixture.City.Assets[100].Location;
        var page = await Json.ReadAsync(await Http.GetAsync($"/api/assets?near={centre.Lon},{centre.Lat}&radius=300&limit=1000"));
        var distances = page["items"]!.AsArray().Select(i => (double)i!["distanceM"]!).ToList();
        Assert.NotEmpty(distances);
        Assert.Equal(distances.Order(), distances);
        Assert.All(distances, d => Assert.InRange(d, 0, 300));
        var expected = fixture.City.Assets.Count(a => centre.DistanceTo(a.Location) <= 300);
        Assert.Equal(expected, distances.Count);
    }

    [Fact]
    public async Task A_telemetry_reading_is_found_by_its_attribute_soon_after()
    {
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole);
        var sent = await Http.PostJsonAsync($"/api/assets/{pole.Id}/telemetry", new { timestamp = DateTimeOffset.UtcNow, lampOn = true, dimLevel = 0.5 });
        Assert.True(sent.IsSuccessStatusCode);
        var found = false;
        for (var i = 0; i < 50 && !found; i++)
        {
            var page = await Json.ReadAsync(await Http.GetAsync($"/api/assets?district={pole.District}&dimLevel<1&limit=1000"));
            found = page["items"]!.AsArray().Any(x => (string)x!["id"]! == pole.Id && (double)x["attributes"]!["dimLevel"]! == 0.5);
            if (!found) await Task.Delay(20);
        }
        Assert.True(found, "the read model never showed the reading");
    }

    [Fact]
    public async Task Geojson_is_a_feature_collection_a_gis_tool_can_read()
    {
        var district = fixture.City.Districts[0];
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/assets?district={district}&type=camera&limit=50");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/geo+json"));
        var response = await Http.SendAsync(request);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("FeatureCollection", (string)body["type"]!);
        var features = body["features"]!.AsArray();
        Assert.Equal(50, features.Count);
        foreach (var f in features)
        {
            var asset = fixture.City.Assets.Single(a => a.Id == (string)f!["id"]!);
            Assert.Equal("Point", (string)f!["geometry"]!["type"]!);
            Assert.Equal(asset.Location.Lon, (double)f["geometry"]!["coordinates"]![0]!);
            Assert.Equal(asset.Location.Lat, (double)f["geometry"]!["coordinates"]![1]!);
            Assert.Equal("camera", (string)f["properties"]!["type"]!);
            Assert.NotNull(f["properties"]!["feedOnline"]);
        }
        Assert.NotNull(body["next"]);
    }

    [Fact]
    public async Task Stats_count_every_asset_by_type_status_and_district()
    {
        var live = await fixture.LiveAssetsAsync();
        JsonNode? stats = null;
        for (var i = 0; i < 50; i++)
        {
            stats = await Json.ReadAsync(await Http.GetAsync("/api/stats"));
            if ((int)stats["city"]!["assets"]! == live.Count && Matches(stats, live)) break;
            await Task.Delay(100);
            live = await fixture.LiveAssetsAsync();
        }
        Assert.Equal(live.Count, (int)stats!["city"]!["assets"]!);
        Assert.True(Matches(stats, live), stats.ToJsonString());
        Assert.Equal(fixture.City.Districts.Count, stats["districts"]!.AsArray().Count);
        Assert.Equal(live.Count(a => a.Type == AssetType.Pole), stats["city"]!["byType"]!["pole"]!.AsObject().Sum(s => (int)s.Value!));

        static bool Matches(JsonNode stats, List<Asset> live) => stats["districts"]!.AsArray().All(d =>
            d!["counts"]!.AsArray().All(c => (int)c!["count"]! == live.Count(a =>
                a.District == (string)d["id"]! && a.Type.ToString().Equals((string)c["type"]!, StringComparison.OrdinalIgnoreCase)
                && a.Status.ToString().Equals((string)c["status"]!, StringComparison.OrdinalIgnoreCase))));
    }

    [Fact]
    public async Task History_shows_state_changes_and_readings_newest_first()
    {
        var camera = fixture.City.Assets.Last(a => a.Type == AssetType.Camera);
        await Http.PostJsonAsync($"/api/assets/{camera.Id}/telemetry", new { timestamp = DateTimeOffset.UtcNow, vehicleCount = 3 });
        await Http.PostJsonAsync($"/api/assets/{camera.Id}/telemetry", new { timestamp = DateTimeOffset.UtcNow.AddMilliseconds(1), vehicleCount = 4 });
        await Http.PostJsonAsync($"/api/assets/{camera.Id}/status", new { status = "maintenance" });
        var history = await Json.ReadAsync(await Http.GetAsync($"/api/assets/{camera.Id}/history?limit=2"));
        var newest = history["changes"]!.AsArray()[0]!;
        Assert.Equal("maintenance", (string)newest["status"]!);
        Assert.Contains("operatorStatus: operational → maintenance", newest["changes"]!.AsArray().Select(c => (string)c!));
        Assert.Equal([4, 3], history["telemetry"]!.AsArray().Select(r => (int)r!["reading"]!["vehicleCount"]!));
        await Http.PostJsonAsync($"/api/assets/{camera.Id}/status", new { status = "operational" });
        await Json.AssertProblemAsync(await Http.GetAsync("/api/assets/no-such-asset/history"), 404, "not-found");
        await Json.AssertProblemAsync(await Http.GetAsync($"/api/assets/{camera.Id}/history?limit=0"), 400, "validation");
    }

    [Theory]
    [InlineData("/api/assets?type=tram", "type")]
    [InlineData("/api/assets?bbox=4,50,3,51", "bbox")]
    [InlineData("/api/assets?bbox=-10,40,10,60", "bbox")]
    [InlineData("/api/assets?near=4.35,50.85&radius=99999", "radius")]
    [InlineData("/api/assets?limit=100000", "limit")]
    [InlineData("/api/assets?cursor=xyz", "cursor")]
    [InlineData("/api/assets?dimLevel<low", "dimLevel")]
    [InlineData("/api/assets?colour=red", "colour")]
    [InlineData("/api/stats?district=a%20b", "district")]
    public async Task Bad_queries_get_a_problem_naming_the_parameter(string url, string field)
    {
        var problem = await Json.AssertProblemAsync(await Http.GetAsync(url), 400, "validation");
        Assert.Contains(field, Json.ErrorFields(problem));
    }

    private async Task<List<string>> PageThroughAsync(string url)
    {
        var ids = new List<string>();
        string? next = url;
        while (next is not null)
        {
            var response = await Http.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await Json.ReadAsync(response);
            ids.AddRange(page["items"]!.AsArray().Select(i => (string)i!["id"]!));
            next = (string?)page["next"];
        }
        return ids;
    }

    private static List<string> Expected(List<Asset> live, AssetQuery query) =>
    [
        .. live.Select(a => (a, hit: query.Matches(new IndexedAsset(a.Summary, AssetAttributes.Read(a)), out var d), d))
            .Where(x => x.hit && (query.Districts.Length == 0 || query.Districts.Contains(x.a.District)))
            .OrderBy(x => x.d).ThenBy(x => x.a.Id, StringComparer.Ordinal)
            .Select(x => x.a.Id),
    ];

    private static (string Url, AssetQuery Query) RandomQuery(Random random, List<Asset> live)
    {
        var centre = live[random.Next(live.Count)].Location;
        var terms = new List<string> { $"limit={random.Next(5, 200)}" };
        if (random.Next(2) == 0) terms.Add("type=" + string.Join(',', Enum.GetNames<AssetType>().Where(_ => random.Next(2) == 0).DefaultIfEmpty("pole")).ToLowerInvariant());
        if (random.Next(4) == 0) terms.Add("status=operational,offline");
        if (random.Next(4) == 0) terms.Add("district=" + live[random.Next(live.Count)].District);
        switch (random.Next(3))
        {
            case 0:
                var sw = centre.Offset(-random.Next(50, 600), -random.Next(50, 600));
                var ne = centre.Offset(random.Next(50, 600), random.Next(50, 600));
                terms.Add(FormattableString.Invariant($"bbox={sw.Lon},{sw.Lat},{ne.Lon},{ne.Lat}"));
                break;
            case 1:
                terms.Add(FormattableString.Invariant($"near={centre.Lon},{centre.Lat}"));
                terms.Add($"radius={random.Next(30, 600)}");
                break;
        }
        terms.Add(random.Next(5) switch
        {
            0 => $"dimLevel%3C{random.Next(10, 90)}",
            1 => $"latencyMs>{random.Next(20, 140)}",
            2 => "feedOnline=true",
            3 => $"vehicleCount>={random.Next(0, 40)}",
            _ => "limit=" + random.Next(5, 200),
        });
        var url = "/api/assets?" + string.Join('&', terms);
        var (query, errors) = AssetQueryParser.Parse(url[url.IndexOf('?')..], new QueryLimits());
        Assert.True(query is not null, string.Join(";", errors));
        return (url, query!);
    }
}

public sealed class OpenApiTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    [Fact]
    public async Task The_openapi_document_describes_the_queries_with_examples()
    {
        var doc = JsonNode.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject();
        foreach (var path in new[] { "/api/assets", "/api/stats", "/api/assets/{id}", "/api/assets/{id}/history", "/api/import", "/api/scenarios" })
            Assert.True(paths.ContainsKey(path), $"{path} is missing from the document");
        var parameters = paths["/api/assets"]!["get"]!["parameters"]!.AsArray();
        Assert.Contains(parameters, p => (string)p!["name"]! == "bbox" && (string)p["example"]! == "4.34,50.84,4.36,50.86");
        Assert.Contains(parameters, p => ((string)p!["description"]!).Contains("dimLevel<50"));
    }

    [Fact]
    public async Task The_api_reference_is_browsable_without_the_internet()
    {
        var page = await fixture.Http.GetAsync("/docs/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"([^\"]*scalar[^\"]*\\.js)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(script), html);
        Assert.DoesNotContain("://", script); // served by the API itself, not a CDN
        var js = await fixture.Http.GetAsync(new Uri(new Uri(fixture.Http.BaseAddress!, "/docs/v1"), script));
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.True((await js.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }
}
