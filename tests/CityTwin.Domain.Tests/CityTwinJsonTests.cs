using System.Text.Json;
using CityTwin.Domain.Serialization;

namespace CityTwin.Domain.Tests;

public sealed class CityTwinJsonTests
{
    private static string Write<T>(T value) => JsonSerializer.Serialize(value, CityTwinJson.Options);

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, CityTwinJson.Options)!;

    [Fact]
    public void Names_are_camel_case_enums_camel_case_strings_and_nulls_omitted()
    {
        var json = Write(new Telemetry { DimLevel = 40, LampOn = true });
        Assert.Equal("""{"lampOn":true,"dimLevel":40}""", json);
        Assert.Equal("""{"id":"cam-1","type":"camera","status":"maintenance","location":{"lon":4.35,"lat":50.85}}""", Write(new AssetSummary("cam-1", AssetType.Camera, AssetStatus.Maintenance, new GeoPoint(4.35, 50.85))));
    }

    [Fact]
    public void Enums_and_names_are_read_case_insensitively_but_numbers_for_enums_are_refused()
    {
        Assert.Equal(AssetStatus.Faulted, Read<AssetSummary>("""{"ID":"p","Type":"POLE","status":"Faulted"}""").Status);
        Assert.Throws<JsonException>(() => Read<AssetSummary>("""{"id":"p","type":0}"""));
    }

    [Fact]
    public void Numbers_are_strict_and_unknown_properties_refused()
    {
        Assert.Throws<JsonException>(() => Read<Telemetry>("""{"dimLevel":"40"}"""));
        Assert.Throws<JsonException>(() => Read<Telemetry>("""{"dimLevel":NaN}"""));
        Assert.Throws<JsonException>(() => Read<Telemetry>("""{"dimLvl":40}"""));
    }

    [Fact]
    public void Records_without_initialisers_come_from_the_source_generated_context()
    {
        foreach (var type in new[] { typeof(Telemetry), typeof(Telemetry[]), typeof(AssetSummary), typeof(AssetSummary[]), typeof(ValidationError), typeof(List<ValidationError>), typeof(FeatureError), typeof(List<FeatureError>) })
            Assert.IsType<CityTwinJsonContext>(CityTwinJson.Options.GetTypeInfo(type).OriginatingResolver);
    }

    [Fact]
    public void An_asset_read_from_partial_json_keeps_every_default_it_was_not_given()
    {
        // The regression this guards: source-generated metadata would set the missing init-only properties to null/0.
        var asset = Read<Asset>("""{"id":"pole-1","type":"pole","district":"d01","pole":{"dimLevel":40},"location":{"lon":4.35,"lat":50.85}}""");

        Assert.Equal(("", AssetStatus.Operational), (asset.Name, asset.Status));
        Assert.NotNull(asset.Dependencies);
        Assert.Empty(asset.Dependencies.Neighbours);
        Assert.Equal(new PoleState { DimLevel = 40, Sensors = asset.Pole!.Sensors }, asset.Pole);
        Assert.Empty(asset.Pole.Sensors);
        var plan = Read<IntersectionState>("{}").Plan;
        Assert.Equal(2, plan.Phases.Length);
    }

    [Fact]
    public void An_asset_round_trips()
    {
        var asset = Build.Intersection() with { Version = 3, UpdatedAt = DateTimeOffset.UnixEpoch, Dependencies = new AssetDependencies { Neighbours = [new RoadLink { IntersectionId = "int-2", Lanes = 3 }] } };
        var back = Read<Asset>(Write(asset));
        Assert.True(back.SameContentAs(asset));
        Assert.Equal((3L, DateTimeOffset.UnixEpoch), (back.Version, back.UpdatedAt));
        Assert.Contains("\"mode\":\"adaptive\"", Write(asset));
    }

    [Fact]
    public void Types_the_api_adds_later_are_served_by_reflection()
    {
        Assert.Equal("""{"someValue":1}""", Write(new { SomeValue = 1 }));
    }
}
