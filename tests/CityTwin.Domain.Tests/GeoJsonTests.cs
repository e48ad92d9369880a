using System.Text;
using CityTwin.Domain.City;
using CityTwin.Domain.GeoJson;

namespace CityTwin.Domain.Tests;

public sealed class GeoJsonTests
{
    private static async Task<string> ExportAsync(IEnumerable<Asset> assets)
    {
        using var buffer = new MemoryStream();
        await GeoJsonWriter.WriteAsync(buffer, assets, CancellationToken.None);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static ImportDocument Import(string json) => GeoJsonReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    private static string Collection(params string[] features) => $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    private static string Feature(string id, string properties, string coordinates = "[4.35,50.85]") =>
        $$"""{"type":"Feature","id":"{{id}}","geometry":{"type":"Point","coordinates":{{coordinates}}},"properties":{{properties}}}""";

    [Fact]
    public async Task Export_then_import_then_export_is_byte_identical()
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 9 });
        var first = await ExportAsync(city.Assets);
        var imported = Import(first);
        var second = await ExportAsync(imported.Assets);

        Assert.Empty(imported.Errors);
        Assert.Equal(city.Assets.Count, imported.Assets.Count);
        Assert.All(city.Assets.Zip(imported.Assets), p => Assert.True(p.First.SameContentAs(p.Second), p.First.Id));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Every_bad_feature_is_reported_with_its_index_id_and_field()
    {
        var doc = Import(Collection(
            Feature("pole-ok", """{"type":"pole","district":"d1"}"""),
            Feature("pole-dim", """{"type":"pole","district":"d1","pole":{"dimLevel":500}}"""),
            Feature("pole-geo", """{"type":"pole","district":"d1"}""", "[500,95]"),
            Feature("pole-kind", """{"type":"lamp","district":"d1"}"""),
            Feature("pole-self", """{"type":"pole","district":"d1","dependencies":{"backhaulLinkId":"pole-self"}}"""),
            """{"type":"Feature","geometry":{"type":"Point","coordinates":[4,50]},"properties":{"type":"pole","district":"d1"}}""",
            Feature("pole-ok", """{"type":"pole","district":"d1"}""")));

        Assert.Equal(["pole-ok"], doc.Assets.Select(a => a.Id)); // parsed, but the caller applies nothing while Errors is non-empty
        Assert.Equal([0], doc.FeatureIndexes);
        Assert.Contains(doc.Errors, e => e is { Index: 1, AssetId: "pole-dim", Field: "properties.pole.dimLevel" });
        Assert.Contains(doc.Errors, e => e is { Index: 2, AssetId: "pole-geo", Field: "geometry" });
        Assert.Contains(doc.Errors, e => e is { Index: 3, AssetId: "pole-kind" } && e.Field.StartsWith("properties"));
        Assert.Contains(doc.Errors, e => e is { Index: 4, AssetId: "pole-self", Field: "properties.dependencies.backhaulLinkId" });
        Assert.Contains(doc.Errors, e => e is { Index: 5, AssetId: null, Field: "id" });
        Assert.Contains(doc.Errors, e => e is { Index: 6, AssetId: "pole-ok" } && e.Message.Contains("more than once"));
        Assert.DoesNotContain(doc.Errors, e => e.Index == 0);
    }

    [Fact]
    public void Malformed_json_is_one_clear_error()
    {
        var doc = Import("""{"type":"FeatureCollection","features":[{"type":""");
        var error = Assert.Single(doc.Errors);
        Assert.Equal(-1, error.Index);
        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public void A_document_that_is_not_a_feature_collection_is_refused()
    {
        Assert.Single(Import("""{"type":"Feature"}""").Errors);
        Assert.Single(Import("""[1,2,3]""").Errors);
    }

    [Fact]
    public void Optional_properties_take_their_defaults()
    {
        var doc = Import(Collection(Feature("cam-1", """{"type":"camera","district":"d1"}""")));
        var camera = Assert.Single(doc.Assets);
        Assert.Equal(AssetStatus.Operational, camera.Status);
        Assert.NotNull(camera.Camera);
        Assert.True(camera.Camera!.FeedOnline);
    }

    [Fact]
    public void Unknown_and_wrongly_typed_properties_are_errors_not_silently_dropped()
    {
        var doc = Import(Collection(
            Feature("pole-1", """{"type":"pole","district":"d1","pole":{"dimLevle":50}}"""),
            Feature("pole-2", """{"type":"pole","district":"d1","pole":{"dimLevel":"high"}}""")));
        Assert.Contains(doc.Errors, e => e is { Index: 0, Field: "properties.pole.dimLevle" });
        Assert.Contains(doc.Errors, e => e is { Index: 1, Field: "properties.pole.dimLevel" });
    }

    [Fact]
    public void Explicit_nulls_where_collections_belong_are_errors()
    {
        var doc = Import(Collection(
            Feature("int-1", """{"type":"intersection","district":"d1","dependencies":{"neighbours":null},"intersection":{"plan":null}}"""),
            Feature("pole-1", """{"type":"pole","district":"d1","pole":{"sensors":null}}""")));
        Assert.Contains(doc.Errors, e => e is { Index: 0, Field: "properties.dependencies.neighbours" });
        Assert.Contains(doc.Errors, e => e is { Index: 0, Field: "properties.intersection.plan" });
        Assert.Contains(doc.Errors, e => e is { Index: 1, Field: "properties.pole.sensors" });
    }

    [Fact]
    public void References_must_resolve_in_the_file_or_the_twin_to_the_right_type()
    {
        var doc = Import(Collection(
            Feature("leo-1", """{"type":"link","district":"d1"}"""),
            Feature("cam-1", """{"type":"camera","district":"d1","dependencies":{"backhaulLinkId":"leo-1","watchedIntersectionId":"int-live"}}"""),
            Feature("cam-2", """{"type":"camera","district":"d1","dependencies":{"watchedIntersectionId":"leo-1"}}"""),
            Feature("cam-3", """{"type":"camera","district":"d1","dependencies":{"watchedIntersectionId":"int-nowhere"}}""")));
        Assert.Empty(doc.Errors);

        var errors = doc.AllErrors(id => id == "int-live" ? AssetType.Intersection : null);

        Assert.DoesNotContain(errors, e => e.Index is 0 or 1);
        Assert.Contains(errors, e => e is { Index: 2, Field: "properties.dependencies.watchedIntersectionId" } && e.Message.Contains("must be a intersection"));
        Assert.Contains(errors, e => e is { Index: 3 } && e.Message.Contains("unknown asset 'int-nowhere'"));
    }
}
