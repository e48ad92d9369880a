using System.Text;
using System.Text.Json;
using CityTwin.Domain.City;
using CityTwin.Domain.GeoJson;

namespace CityTwin.Domain.Tests;

public sealed class GeoJsonTests
{
    private static readonly Lazy<GeneratedCity> City = new(() => CityGenerator.Generate(new CitySpec { TargetAssets = 5_000, Seed = 9 }));

    private static byte[] Export(IEnumerable<Asset> assets)
    {
        using var buffer = new MemoryStream();
        GeoJsonWriter.WriteAsync(buffer, assets, CancellationToken.None).GetAwaiter().GetResult();
        return buffer.ToArray();
    }

    private static ImportDocument Import(string json) => Read(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    // Every stream here is in memory, so the asynchronous reader completes without waiting.
    private static ImportDocument Read(Stream stream) => GeoJsonReader.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult();

    private static string Collection(params string[] features) => $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    private static string Feature(string id, string properties, string coordinates = "[4.35,50.85]") =>
        $$"""{"type":"Feature","id":"{{id}}","geometry":{"type":"Point","coordinates":{{coordinates}}},"properties":{{properties}}}""";

    [Fact]
    public void Export_then_import_then_export_is_byte_identical()
    {
        var first = Export(City.Value.Assets);
        var imported = Read(new MemoryStream(first));
        var second = Export(imported.Assets);

        Assert.Empty(imported.Errors);
        Assert.Equal(City.Value.Assets.Count, imported.Assets.Count);
        Assert.Equal(Enumerable.Range(0, imported.Assets.Count), imported.FeatureIndexes);
        Assert.All(City.Value.Assets.Zip(imported.Assets), p => Assert.True(p.First.SameContentAs(p.Second), p.First.Id));
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_feature_is_a_point_with_the_asset_id_and_its_properties_without_twin_metadata()
    {
        var pole = City.Value.Assets.First(a => a.Type == AssetType.Pole);
        var stamped = pole with { Version = 12, UpdatedAt = DateTimeOffset.UnixEpoch, TelemetryAt = DateTimeOffset.UnixEpoch };
        var bytes = Export([stamped]);
        using var json = JsonDocument.Parse(bytes);

        Assert.Equal(Export([pole]), bytes);
        Assert.Equal("FeatureCollection", json.RootElement.GetProperty("type").GetString());
        var feature = Assert.Single(json.RootElement.GetProperty("features").EnumerateArray());
        Assert.Equal(["type", "id", "geometry", "properties"], feature.EnumerateObject().Select(p => p.Name));
        Assert.Equal(pole.Id, feature.GetProperty("id").GetString());
        Assert.Equal("Point", feature.GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal([pole.Location.Lon, pole.Location.Lat], feature.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()));
        var properties = feature.GetProperty("properties");
        Assert.Equal(["type", "name", "district", "status", "dependencies", "pole"], properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal("pole", properties.GetProperty("type").GetString());
        Assert.Equal("operational", properties.GetProperty("status").GetString());
        Assert.Equal(pole.Dependencies.BackhaulLinkId, properties.GetProperty("dependencies").GetProperty("backhaulLinkId").GetString());
        Assert.Equal(pole.Pole!.RatedPowerW, properties.GetProperty("pole").GetProperty("ratedPowerW").GetDouble());
    }

    [Fact]
    public async Task Export_streams_from_an_async_source_to_the_same_bytes()
    {
        async IAsyncEnumerable<Asset> Source()
        {
            foreach (var a in City.Value.Assets)
            {
                if (a.Id.EndsWith('0')) await Task.Yield();
                yield return a;
            }
        }
        using var buffer = new MemoryStream();
        await GeoJsonWriter.WriteAsync(buffer, Source(), CancellationToken.None);
        Assert.Equal(Export(City.Value.Assets), buffer.ToArray());
    }

    [Fact]
    public void An_empty_city_is_an_empty_collection()
    {
        Assert.Equal("""{"type":"FeatureCollection","features":[]}""", Encoding.UTF8.GetString(Export([])));
        var doc = Import("""{"features":[],"type":"FeatureCollection"}""");
        Assert.Empty(doc.Errors);
        Assert.Empty(doc.Assets);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4_096)]
    public void Reading_in_any_chunk_size_gives_the_same_result(int chunk)
    {
        var bytes = Export(City.Value.Assets.Take(300));
        var whole = Read(new MemoryStream(bytes));
        var chunked = Read(new Trickle(bytes, chunk));
        Assert.Equal(300, chunked.Assets.Count);
        Assert.Equal(Export(whole.Assets), Export(chunked.Assets));
    }

    [Fact]
    public void A_feature_larger_than_the_read_buffer_is_read_whole()
    {
        var padding = new string('x', 200_000);
        var doc = Import(Collection(
            $$$"""{"type":"Feature","id":"pole-1","note":"{{{padding}}}","geometry":{"type":"Point","coordinates":[4.35,50.85]},"properties":{"type":"pole","district":"d01"}}""",
            Feature("pole-2", """{"type":"pole","district":"d01"}""")));
        Assert.Empty(doc.Errors);
        Assert.Equal(["pole-1", "pole-2"], doc.Assets.Select(a => a.Id));
    }

    [Fact]
    public async Task Reading_asynchronously_gives_the_same_result()
    {
        var bytes = Export(City.Value.Assets.Take(500));
        var doc = await GeoJsonReader.ReadAsync(new Trickle(bytes, 1_000), CancellationToken.None);
        Assert.Equal(bytes, Export(doc.Assets));
    }

    [Fact]
    public void Every_bad_feature_is_reported_with_its_index_id_and_field()
    {
        var doc = Import(Collection(
            Feature("pole-ok", """{"type":"pole","district":"d01"}"""),
            Feature("pole-dim", """{"type":"pole","district":"d01","pole":{"dimLevel":500}}"""),
            Feature("pole-geo", """{"type":"pole","district":"d01"}""", "[500,95]"),
            Feature("pole-kind", """{"type":"lamp","district":"d01"}"""),
            Feature("pole-self", """{"type":"pole","district":"d01","dependencies":{"backhaulLinkId":"pole-self"}}"""),
            """{"type":"Feature","geometry":{"type":"Point","coordinates":[4,50]},"properties":{"type":"pole","district":"d01"}}""",
            Feature("pole-no-district", """{"type":"pole"}"""),
            Feature("cam-ok", """{"type":"camera","district":"d01"}""")));

        Assert.Equal(
        [
            new FeatureError(1, "pole-dim", "properties.pole.dimLevel", "must be between 0 and 100"),
            new FeatureError(2, "pole-geo", "geometry", "must be a WGS84 point: longitude −180…180, latitude −90…90"),
            new FeatureError(3, "pole-kind", "properties.type", "must be one of pole, camera, intersection, link"),
            new FeatureError(4, "pole-self", "properties.dependencies.backhaulLinkId", "an asset cannot depend on itself"),
            new FeatureError(5, null, "id", "is required: the asset id, a string"),
            new FeatureError(6, "pole-no-district", "properties.district", "is required"),
        ], doc.Errors);
        // The good features are parsed (for the cross-asset check) but the caller applies nothing: Errors is not empty.
        Assert.Equal(["pole-ok", "cam-ok"], doc.Assets.Select(a => a.Id));
        Assert.Equal([0, 7], doc.FeatureIndexes);
    }

    [Fact]
    public void Every_value_of_the_wrong_json_type_in_a_feature_is_named()
    {
        var doc = Import(Collection(Feature("pole-1",
            """{"type":"pole","district":"d01","name":5,"status":"broken","pole":{"dimLevel":"high","lampOn":1,"dimLevle":3},"dependencies":{"neighbours":[{"lanes":2}]}}""")));

        Assert.Equal(
        [
            new FeatureError(0, "pole-1", "properties.name", "must be a string"),
            new FeatureError(0, "pole-1", "properties.status", "must be one of operational, degraded, faulted, offline, maintenance"),
            new FeatureError(0, "pole-1", "properties.pole.dimLevel", "must be a number"),
            new FeatureError(0, "pole-1", "properties.dependencies.neighbours[0]", "must be an object with intersectionId"),
        ], doc.Errors);
        Assert.Empty(doc.Assets);
    }

    [Fact]
    public void Misspelt_and_unknown_properties_are_errors_not_silently_dropped()
    {
        var doc = Import(Collection(
            Feature("pole-1", """{"type":"pole","district":"d01","pole":{"dimLevle":50}}"""),
            Feature("pole-2", """{"type":"pole","district":"d01","colour":"red"}"""),
            Feature("int-1", """{"type":"intersection","district":"d01","intersection":{"plan":{"phases":[{"approaches":["north","up"]}]}}}""")));
        Assert.Equal(
        [
            new FeatureError(0, "pole-1", "properties.pole.dimLevle", "is not a known property"),
            new FeatureError(1, "pole-2", "properties.colour", "is not a known property"),
            new FeatureError(2, "int-1", "properties.intersection.plan.phases[0].approaches[1]", "must be one of north, east, south, west"),
        ], doc.Errors);
    }

    [Theory]
    [InlineData("""{"type":"LineString","coordinates":[[4,50],[5,51]]}""", "must be a Point: an asset is one position")]
    [InlineData("""{"type":"Point","coordinates":["4",50]}""", "must have coordinates [longitude, latitude]: 2 finite numbers")]
    [InlineData("""{"type":"Point","coordinates":[4]}""", "must have coordinates [longitude, latitude]: 2 finite numbers")]
    [InlineData("""{"type":"Point","coordinates":[4,50,1,2]}""", "must have coordinates [longitude, latitude]: 2 finite numbers")]
    [InlineData("""{"type":"Point","coordinates":[1e400,50]}""", "must have coordinates [longitude, latitude]: 2 finite numbers")]
    [InlineData("""{"type":"Point"}""", "must have coordinates [longitude, latitude]: 2 finite numbers")]
    [InlineData("""[4,50]""", "must be a Point object with [longitude, latitude]")]
    [InlineData("""null""", "is required: a Point with [longitude, latitude]")]
    public void A_geometry_that_is_not_a_point_with_two_finite_numbers_is_refused(string geometry, string message)
    {
        var doc = Import(Collection($$$"""{"type":"Feature","id":"pole-1","geometry":{{{geometry}}},"properties":{"type":"pole","district":"d01"}}"""));
        Assert.Equal([new FeatureError(0, "pole-1", "geometry", message)], doc.Errors);
    }

    [Fact]
    public void An_elevation_and_foreign_members_are_accepted_and_ignored()
    {
        var doc = Import("""{"type":"FeatureCollection","name":"city","bbox":[4,50,5,51],"features":[{"type":"Feature","id":"pole-1","bbox":[4,50,4,50],"geometry":{"type":"Point","coordinates":[4.35,50.85,31.5],"crs":null},"properties":{"type":"pole","district":"d01"}}]}""");
        Assert.Empty(doc.Errors);
        Assert.Equal(new GeoPoint(4.35, 50.85), Assert.Single(doc.Assets).Location);
    }

    [Fact]
    public void Feature_members_may_come_in_any_order()
    {
        var doc = Import("""{"features":[{"properties":{"district":"d01","type":"camera"},"geometry":{"coordinates":[4.35,50.85],"type":"Point"},"id":"cam-1","type":"Feature"}],"type":"FeatureCollection"}""");
        Assert.Empty(doc.Errors);
        Assert.Equal(AssetType.Camera, Assert.Single(doc.Assets).Type);
    }

    [Theory]
    [InlineData("""{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[4,50]},"properties":{"type":"pole","district":"d01"}}""", null, "id", "must be a string: the asset id")]
    [InlineData("""{"type":"Feature","id":"pole 1","geometry":{"type":"Point","coordinates":[4,50]},"properties":{"type":"pole","district":"d01"}}""", "pole 1", "id", null)]
    [InlineData("""{"type":"Feat","id":"pole-1","geometry":{"type":"Point","coordinates":[4,50]},"properties":{"type":"pole","district":"d01"}}""", "pole-1", "type", "must be \"Feature\"")]
    [InlineData("""{"type":"Feature","id":"pole-1","geometry":{"type":"Point","coordinates":[4,50]},"properties":null}""", "pole-1", "properties", "is required: an object with at least type and district")]
    [InlineData("""{"type":"Feature","id":"pole-1","geometry":{"type":"Point","coordinates":[4,50]},"properties":[]}""", "pole-1", "properties", "must be an object")]
    [InlineData("""{"type":"Feature","id":"pole-1","geometry":{"type":"Point","coordinates":[4,50]},"properties":{"district":"d01"}}""", "pole-1", "properties.type", "is required: one of pole, camera, intersection, link")]
    [InlineData("""42""", null, "type", "must be a GeoJSON Feature object")]
    public void A_malformed_feature_is_one_error_naming_the_field(string feature, string? id, string field, string? message)
    {
        var error = Assert.Single(Import(Collection(feature)).Errors);
        Assert.Equal((0, id, field), (error.Index, error.AssetId, error.Field));
        if (message is not null) Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })] // invalid UTF-8
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' })] // a lone surrogate
    public void An_id_that_is_not_unicode_text_is_an_error_of_its_feature(byte[] raw)
    {
        var json = Encoding.UTF8.GetBytes(Collection(Feature("pole-RAW", """{"type":"pole","district":"d01"}"""), Feature("pole-2", """{"type":"pole","district":"d01"}""")));
        var at = json.AsSpan().IndexOf("RAW"u8);
        json = [.. json[..at], .. raw, .. json[(at + 3)..]];

        var doc = Read(new MemoryStream(json));

        Assert.Equal([new FeatureError(0, null, "id", "must be valid Unicode text")], doc.Errors);
        Assert.Equal("pole-2", Assert.Single(doc.Assets).Id);
    }

    [Theory]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":""", "line 1")]
    [InlineData("{\n\"type\":\"FeatureCollection\",\n\"features\":[]\n,}", "line 4")]
    [InlineData("""{"type":"FeatureCollection","features":[]} trailing""", "line 1")]
    [InlineData("", "line 1")]
    public void Malformed_json_is_one_clear_error(string json, string where)
    {
        var error = Assert.Single(Import(json).Errors);
        Assert.Equal((-1, null, "$"), (error.Index, error.AssetId, error.Field));
        Assert.StartsWith("is not valid JSON", error.Message);
        Assert.Contains(where, error.Message);
        Assert.Empty(Import(json).Assets);
    }

    [Fact]
    public void Malformed_json_after_bad_features_is_still_one_error()
    {
        var doc = Import(Collection(Feature("pole-1", """{"type":"lamp"}""")) + "]");
        Assert.Single(doc.Errors);
        Assert.StartsWith("is not valid JSON", doc.Errors[0].Message);
    }

    [Theory]
    [InlineData("""{"type":"Feature","features":[]}""", "must be a GeoJSON FeatureCollection: \"type\": \"FeatureCollection\"")]
    [InlineData("""{"features":[]}""", "must be a GeoJSON FeatureCollection: \"type\": \"FeatureCollection\"")]
    [InlineData("""{"type":"FeatureCollection"}""", "must have a \"features\" array")]
    [InlineData("""{"type":"FeatureCollection","features":{}}""", "must have one \"features\" array")]
    [InlineData("""[1,2,3]""", "must be a GeoJSON FeatureCollection object")]
    public void A_document_that_is_not_a_feature_collection_is_one_error(string json, string message)
    {
        Assert.Equal([new FeatureError(-1, null, "$", message)], Import(json).Errors);
    }

    [Fact]
    public void A_repeated_id_is_an_error_on_its_second_occurrence()
    {
        var doc = Import(Collection(
            Feature("pole-1", """{"type":"pole","district":"d01"}"""),
            Feature("pole-2", """{"type":"pole","district":"d01"}"""),
            Feature("pole-1", """{"type":"pole","district":"d02"}""")));
        Assert.Equal([new FeatureError(2, "pole-1", "id", "is already the id of feature 0")], doc.Errors);
        Assert.Equal(["pole-1", "pole-2"], doc.Assets.Select(a => a.Id));
        Assert.Equal("d01", doc.Assets[0].District);
    }

    [Fact]
    public void Features_with_only_type_and_district_take_the_defaults()
    {
        var doc = Import(Collection(
            Feature("cam-1", """{"type":"camera","district":"d01"}"""),
            Feature("pole-1", """{"type":"Pole","district":"d01","pole":{"dimLevel":40}}""")));

        Assert.Empty(doc.Errors);
        var camera = doc.Assets[0];
        Assert.Equal(("", AssetStatus.Operational, AssetDependencies.None), (camera.Name, camera.Status, camera.Dependencies));
        Assert.Equal(new CameraState(), camera.Camera);
        var pole = doc.Assets[1].Pole!;
        Assert.Equal(40, pole.DimLevel); // the given value, every other one its default
        Assert.Equal((60.0, true, true), (pole.RatedPowerW, pole.Connected, pole.Powered));
        Assert.Empty(pole.Sensors);
    }

    [Fact]
    public void Explicit_nulls_where_collections_belong_are_errors()
    {
        var doc = Import(Collection(
            Feature("int-1", """{"type":"intersection","district":"d01","dependencies":{"neighbours":null},"intersection":{"plan":null}}"""),
            Feature("pole-1", """{"type":"pole","district":"d01","pole":{"sensors":null}}""")));
        Assert.Equal(["0 properties.dependencies.neighbours", "0 properties.intersection.plan", "0 properties.intersection.plan.phases", "1 properties.pole.sensors"],
            doc.Errors.Select(e => $"{e.Index} {e.Field}"));
    }

    [Fact]
    public void References_must_resolve_in_the_file_or_the_twin_to_the_right_type()
    {
        var doc = Import(Collection(
            Feature("leo-1", """{"type":"link","district":"d01"}"""),
            Feature("cam-1", """{"type":"camera","district":"d01","dependencies":{"backhaulLinkId":"leo-1","watchedIntersectionId":"int-live"}}"""),
            Feature("cam-2", """{"type":"camera","district":"d01","dependencies":{"watchedIntersectionId":"leo-1"}}"""),
            Feature("cam-3", """{"type":"camera","district":"d01","dependencies":{"watchedIntersectionId":"int-nowhere"}}""")));
        Assert.Empty(doc.Errors);

        var errors = doc.AllErrors(id => id == "int-live" ? AssetType.Intersection : null);

        Assert.Equal(
        [
            new FeatureError(2, "cam-2", "properties.dependencies.watchedIntersectionId", "refers to 'leo-1', a link, but must be a intersection"),
            new FeatureError(3, "cam-3", "properties.dependencies.watchedIntersectionId", "refers to unknown asset 'int-nowhere'"),
        ], errors);
    }

    [Fact]
    public void A_reference_to_a_feature_that_is_itself_bad_is_not_also_reported_unknown()
    {
        var doc = Import(Collection(
            Feature("int-1", """{"type":"intersection","district":"d01","intersection":{"flowVehPerHour":-1}}"""),
            Feature("cam-1", """{"type":"camera","district":"d01","dependencies":{"watchedIntersectionId":"int-1"}}""")));

        Assert.Equal([new FeatureError(0, "int-1", "properties.intersection.flowVehPerHour", "must be between 0 and 50000")], doc.AllErrors(_ => null));
    }

    /// <summary>A stream that hands out at most a few bytes per read, to cut tokens and features at every possible place.</summary>
    private sealed class Trickle(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
