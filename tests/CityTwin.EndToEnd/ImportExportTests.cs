using CityTwin.Domain.Assets;
using System.Net;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;

namespace CityTwin.EndToEnd;

[Collection(ApiCollection.Name)]
public sealed class ImportExportTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static ByteArrayContent GeoJson(byte[] bytes) => new(bytes) { Headers = { ContentType = new("application/geo+json") } };

    [Fact]
    public async Task Importing_the_same_city_again_changes_nothing()
    {
        var response = await Http.PostAsync("/api/import", GeoJson(await ApiFixture.ToGeoJsonAsync(fixture.City.Assets)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var counts = await Json.ReadAsync(response);
        Assert.Equal(0, (int)counts["created"]!);
        // Other tests in this collection may have changed a few assets' live state; those come back as updates.
        Assert.True((int)counts["unchanged"]! >= fixture.City.Assets.Count - 20, counts.ToJsonString());
    }

    [Fact]
    public async Task A_bad_file_is_rejected_whole_with_every_bad_feature_named()
    {
        var district = $"d-bad-{Guid.NewGuid():N}"[..20];
        var features = new JsonArray
        {
            Feature("pole-good-1", district, """{"type":"pole","district":"DISTRICT","pole":{"dimLevel":50}}"""),
            Feature("pole-bad-dim", district, """{"type":"pole","district":"DISTRICT","pole":{"dimLevel":500}}"""),
            Feature("cam-bad-ref", district, """{"type":"camera","district":"DISTRICT","dependencies":{"watchedIntersectionId":"int-nowhere"}}"""),
            Feature("pole-self", district, """{"type":"pole","district":"DISTRICT","dependencies":{"backhaulLinkId":"pole-self"}}"""),
        };
        features.Add(JsonNode.Parse("""{"type":"Feature","id":"pole-bad-geo","geometry":{"type":"Point","coordinates":[500,95]},"properties":{"type":"pole","district":"d1"}}"""));
        var file = new JsonObject { ["type"] = "FeatureCollection", ["features"] = features };

        var problem = await Json.AssertProblemAsync(await Http.PostAsync("/api/import", Json.Body(file.ToJsonString(), "application/geo+json")), 400, "validation");

        var errors = problem["errors"]!.AsArray();
        var badIndexes = errors.Select(e => (int)e!["index"]!).Distinct().Order().ToArray();
        Assert.Equal([1, 2, 3, 4], badIndexes);
        Assert.Contains(errors, e => (string?)e!["assetId"] == "pole-bad-dim" && ((string)e["field"]!).EndsWith("pole.dimLevel"));
        Assert.Contains(errors, e => (string?)e!["assetId"] == "cam-bad-ref" && ((string)e["field"]!).EndsWith("watchedIntersectionId"));
        Assert.Contains(errors, e => (string?)e!["assetId"] == "pole-bad-geo" && ((string)e["field"]!).StartsWith("geometry"));
        // All or nothing: the one good feature was not applied either.
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/assets/pole-good-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/districts/{district}")).StatusCode);
    }

    [Fact]
    public async Task A_file_that_is_not_json_is_one_clear_error()
    {
        var response = await Http.PostAsync("/api/import", Json.Body("""{"type":"FeatureCollection","features":[{"type":""", "application/geo+json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Import_refuses_other_media_types()
    {
        await Json.AssertProblemAsync(await Http.PostAsync("/api/import", Json.Body("a,b,c", "text/csv")), 415, "unsupported-media-type");
    }

    [Fact]
    public async Task A_dry_run_validates_without_applying()
    {
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole) with { Id = $"pole-dry-{Guid.NewGuid():N}"[..30] };
        var response = await Http.PostAsync("/api/import?dryRun=true", GeoJson(await ApiFixture.ToGeoJsonAsync([pole])));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/assets/{pole.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_district_exports_as_geojson_that_gis_tools_read()
    {
        var district = fixture.City.Assets[0].District;
        var response = await Http.GetAsync($"/api/export?district={district}");

        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var collection = await Json.ReadAsync(response);
        Assert.Equal("FeatureCollection", (string?)collection["type"]);
        var features = collection["features"]!.AsArray();
        Assert.Equal(fixture.City.Assets.Count(a => a.District == district), features.Count);
        Assert.All(features, f => Assert.Equal("Point", (string?)f!["geometry"]!["type"]));
    }

    [Fact]
    public async Task One_type_exports_alone_with_its_dependencies_and_an_unknown_type_is_a_400()
    {
        var response = await Http.GetAsync("/api/export?type=intersection");
        var features = (await Json.ReadAsync(response))["features"]!.AsArray();
        var intersections = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).ToList();
        Assert.Equal(intersections.Count, features.Count);
        var first = features.Single(f => (string?)f!["id"] == intersections[0].Id)!;
        Assert.Equal(intersections[0].Dependencies.Neighbours.Select(n => n.IntersectionId),
            first["properties"]!["dependencies"]!["neighbours"]!.AsArray().Select(n => (string?)n!["intersectionId"]));

        using var bad = await Http.GetAsync("/api/export?type=lamppost");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("type", (string?)(await Json.ReadAsync(bad))["errors"]?.ToJsonString() ?? "");
    }

    private static JsonNode Feature(string id, string district, string properties) =>
        JsonNode.Parse($$"""{"type":"Feature","id":"{{id}}","geometry":{"type":"Point","coordinates":[4.35,50.85]},"properties":{{properties.Replace("DISTRICT", district)}}}""")!;
}

/// <summary>The round trip needs twins of its own: export from one, import into a fresh one, export again.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public async Task Generate_import_export_import_export_gives_the_same_document()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 1_500, Seed = 11 });
        string first, second;
        await using (var twin = await TwinHost.StartAsync(TwinStorage.TempSqlite()))
        {
            var imported = await ApiFixture.ImportAsync(twin.Http, city.Assets);
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
            first = await twin.Http.GetStringAsync("/api/export");
        }
        await using (var twin = await TwinHost.StartAsync(TwinStorage.TempSqlite()))
        {
            var imported = await twin.Http.PostAsync("/api/import", Json.Body(first, "application/geo+json"));
            Assert.Equal(city.Assets.Count, (int)(await Json.ReadAsync(imported))["created"]!);
            second = await twin.Http.GetStringAsync("/api/export");
        }

        Assert.Equal(city.Assets.Count, JsonNode.Parse(first)!["features"]!.AsArray().Count);
        Assert.Equal(first, second);
    }
}
