using System.Text.Json;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Serialization;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// Reads a FeatureCollection of assets and reports every bad feature (not just the first), each with its
/// index, id and field, so one round trip tells the sender everything to fix.
/// </summary>
public static class GeoJsonReader
{
    public static ImportDocument Read(Stream stream)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            return Failed($"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection")
                return Failed("must be a GeoJSON FeatureCollection");
            if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                return Failed("must have a 'features' array");

            var assets = new List<Asset>(features.GetArrayLength());
            var indexes = new List<int>(features.GetArrayLength());
            var errors = new List<FeatureError>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var feature in features.EnumerateArray())
            {
                var before = errors.Count;
                var asset = ReadFeature(feature, index, errors);
                if (asset is not null && !seen.Add(asset.Id))
                    errors.Add(new FeatureError(index, asset.Id, "id", "appears more than once in the file"));
                if (asset is not null && errors.Count == before)
                {
                    assets.Add(asset);
                    indexes.Add(index);
                }
                index++;
            }
            return new ImportDocument(assets, indexes, errors);
        }
    }

    private static ImportDocument Failed(string message) => new([], [], [new FeatureError(-1, null, "$", message)]);

    private static Asset? ReadFeature(JsonElement feature, int index, List<FeatureError> errors)
    {
        void Error(string? id, string field, string message) => errors.Add(new FeatureError(index, id, field, message));

        if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "Feature")
        {
            Error(null, "type", "must be a GeoJSON Feature");
            return null;
        }
        var id = feature.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        if (id is null) Error(null, "id", "every feature needs a string id: the asset id");

        GeoPoint? location = null;
        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object
            || !geometry.TryGetProperty("type", out var gt) || gt.ValueKind != JsonValueKind.String || gt.GetString() != "Point"
            || !geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array
            || coordinates.GetArrayLength() is < 2 or > 3
            || coordinates[0].ValueKind != JsonValueKind.Number || coordinates[1].ValueKind != JsonValueKind.Number)
            Error(id, "geometry", "must be a Point with [longitude, latitude]");
        else
            location = new GeoPoint(coordinates[0].GetDouble(), coordinates[1].GetDouble());

        FeatureProperties? properties = null;
        if (!feature.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object)
            Error(id, "properties", "must be an object with at least type and district");
        else
        {
            try
            {
                properties = props.Deserialize<FeatureProperties>(CityTwinJson.Options);
            }
            catch (JsonException e)
            {
                Error(id, "properties" + (e.Path is { Length: > 1 } p ? p[1..] : ""), "has a value of the wrong type or an unknown name");
            }
        }
        if (properties is null || id is null || location is null) return null;
        if (properties.Type is not { } type) { Error(id, "properties.type", "must be one of pole, camera, intersection, link"); return null; }
        if (string.IsNullOrEmpty(properties.District)) { Error(id, "properties.district", "is required"); return null; }

        var asset = new Asset
        {
            Id = id,
            Type = type,
            Name = properties.Name ?? "",
            Location = location.Value,
            District = properties.District,
            Status = properties.Status ?? AssetStatus.Operational,
            Dependencies = properties.Dependencies ?? AssetDependencies.None,
            Pole = properties.Pole,
            Camera = properties.Camera,
            Intersection = properties.Intersection,
            Link = properties.Link,
        }.WithDefaults();

        foreach (var e in AssetValidator.Validate(asset))
            Error(id, e.Field switch { "id" => "id", "location" => "geometry", var f => "properties." + f }, e.Message);
        return asset;
    }
}
