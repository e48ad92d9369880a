using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Serialization;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// An incremental FeatureCollection parser: it is fed the file a buffer at a time and takes each feature as soon
/// as the whole of it is in the buffer, so memory holds one feature's text, not the file's. A feature is parsed
/// from its own bytes, which is what lets one bad feature be reported and the next one read normally.
/// </summary>
internal sealed class FeatureCollectionParser
{
    private static readonly JsonTypeInfo<FeatureProperties> PropertiesInfo = (JsonTypeInfo<FeatureProperties>)CityTwinJson.Options.GetTypeInfo(typeof(FeatureProperties));
    private const string TypeNames = "pole, camera, intersection, link";

    private enum Position { Start, Root, Features, End }

    private JsonReaderState state;
    private Position position;
    private bool isCollection, sawFeatures;
    private string? documentError;
    private int index;
    private readonly List<Asset> assets = [];
    private readonly List<int> indexes = [];
    private readonly List<FeatureError> errors = [];
    private readonly Dictionary<string, int> firstIndexOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AssetType> rejected = new(StringComparer.Ordinal);

    /// <summary>True when the document's shape is wrong: the rest of it does not matter.</summary>
    public bool Stopped => documentError is not null;

    /// <summary>Parses what it can of <paramref name="data"/> and returns how many bytes it used; the caller keeps the rest for the next call.</summary>
    /// <exception cref="JsonException">The document is not valid JSON.</exception>
    public int Consume(ReadOnlySpan<byte> data, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock, state);
        while (position != Position.End && documentError is null)
        {
            var checkpoint = reader;
            if (!Step(ref reader, data))
            {
                reader = checkpoint; // the token or feature is cut by the buffer's end: retry with more data
                break;
            }
        }
        if (position == Position.End && documentError is null) while (reader.Read()) { } // only white space may follow; anything else throws
        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    public ImportDocument Result()
    {
        if (documentError is not null) return ImportDocument.Failed(documentError);
        if (position != Position.End) return ImportDocument.Failed("is not valid JSON: it ends before the FeatureCollection is closed");
        if (!isCollection) return ImportDocument.Failed("must be a GeoJSON FeatureCollection: \"type\": \"FeatureCollection\"");
        if (!sawFeatures) return ImportDocument.Failed("must have a \"features\" array");
        return new ImportDocument(assets, indexes, errors) { RejectedTypes = rejected };
    }

    /// <summary>Reads one token of the collection, or one whole feature; false when the buffer ends first.</summary>
    private bool Step(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (!reader.Read()) return false;
        switch (position)
        {
            case Position.Start:
                if (reader.TokenType != JsonTokenType.StartObject) documentError = "must be a GeoJSON FeatureCollection object";
                position = Position.Root;
                return true;

            case Position.Root when reader.TokenType == JsonTokenType.EndObject:
                position = Position.End;
                return true;

            case Position.Root:
                var isFeatures = reader.ValueTextEquals("features"u8);
                var isType = reader.ValueTextEquals("type"u8);
                if (!reader.Read()) return false;
                if (isFeatures)
                {
                    if (reader.TokenType != JsonTokenType.StartArray || sawFeatures) documentError = "must have one \"features\" array";
                    (sawFeatures, position) = (true, Position.Features);
                    return true;
                }
                var collection = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("FeatureCollection"u8);
                if (!reader.TrySkip()) return false; // "bbox" and foreign members (RFC 7946 §6.1) are skipped
                if (isType) isCollection = collection;
                return true;

            case Position.Features when reader.TokenType == JsonTokenType.EndArray:
                position = Position.Root;
                return true;

            default:
                var start = (int)reader.TokenStartIndex;
                if (!reader.TrySkip()) return false;
                Feature(data[start..(int)reader.BytesConsumed], index++);
                return true;
        }
    }

    private void Feature(ReadOnlySpan<byte> json, int i)
    {
        var r = new Utf8JsonReader(json);
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject)
        {
            errors.Add(new FeatureError(i, null, "type", "must be a GeoJSON Feature object"));
            return;
        }
        string? id = null, idProblem = "is required: the asset id, a string", geometryProblem = "is required: a Point with [longitude, latitude]";
        string? propertiesProblem = "is required: an object with at least type and district";
        var isFeature = false;
        GeoPoint location = default;
        int propertiesStart = 0, propertiesEnd = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                isFeature = r.TokenType == JsonTokenType.String && r.ValueTextEquals("Feature"u8);
            }
            else if (r.ValueTextEquals("id"u8))
            {
                r.Read();
                // RFC 7946 also allows numeric ids, but an asset id is a string (grain key, URL segment).
                if (r.TokenType != JsonTokenType.String) idProblem = "must be a string: the asset id";
                else if (!TryGetString(ref r, out id)) idProblem = "must be valid Unicode text";
                else idProblem = null;
            }
            else if (r.ValueTextEquals("geometry"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.Null) geometryProblem = Point(ref r, out location);
            }
            else if (r.ValueTextEquals("properties"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.StartObject) propertiesProblem = null;
                else if (r.TokenType != JsonTokenType.Null) propertiesProblem = "must be an object";
                propertiesStart = (int)r.TokenStartIndex;
                r.Skip();
                propertiesEnd = (int)r.BytesConsumed;
            }
            else r.Read(); // foreign members are allowed (RFC 7946 §6.1) and ignored
            r.Skip(); // the rest of a value that was not read to its end
        }

        var before = errors.Count;
        if (!isFeature) Error("type", "must be \"Feature\"");
        if (idProblem is not null) Error("id", idProblem);
        else if (firstIndexOf.TryGetValue(id!, out var first)) Error("id", $"is already the id of feature {first}");
        else firstIndexOf[id!] = i;
        if (geometryProblem is not null) Error("geometry", geometryProblem);
        if (propertiesProblem is not null) Error("properties", propertiesProblem);

        var p = propertiesProblem is null ? Properties(json[propertiesStart..propertiesEnd], i, id) : null;
        if (p is not null)
        {
            if (p.Type is null) Error("properties.type", $"is required: one of {TypeNames}");
            if (p.District is null) Error("properties.district", "is required");
        }
        if (errors.Count > before || p is null)
        {
            Rejected(p?.Type);
            return;
        }

        var asset = new Asset
        {
            Id = id!,
            Type = p.Type!.Value,
            Name = p.Name ?? "",
            Location = location,
            District = p.District!,
            Status = p.Status ?? AssetStatus.Operational,
            Dependencies = p.Dependencies ?? AssetDependencies.None,
            Pole = p.Pole,
            Camera = p.Camera,
            Intersection = p.Intersection,
            Link = p.Link,
        }.WithDefaults();
        foreach (var e in AssetValidator.Validate(asset))
            Error(e.Field switch { "id" => "id", "location" => "geometry", var f => "properties." + f }, e.Message);
        if (errors.Count > before)
        {
            Rejected(asset.Type);
            return;
        }
        assets.Add(asset);
        indexes.Add(i);

        void Error(string field, string message) => errors.Add(new FeatureError(i, id, field, message));
        void Rejected(AssetType? type)
        {
            if (id is not null && type is not null) rejected.TryAdd(id, type.Value);
        }
    }

    /// <summary>The string value, unless it is invalid UTF-8 or escapes a lone surrogate, which the reader only finds out now.</summary>
    private static bool TryGetString(ref Utf8JsonReader r, out string? value)
    {
        try
        {
            value = r.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>A GeoJSON Point: null, or what is wrong with it. An optional third coordinate (elevation, RFC 7946 §3.1.1) is ignored.</summary>
    private static string? Point(ref Utf8JsonReader r, out GeoPoint location)
    {
        location = default;
        if (r.TokenType != JsonTokenType.StartObject) return "must be a Point object with [longitude, latitude]";
        bool isPoint = false, coordinatesOk = false;
        double lon = 0, lat = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                isPoint = r.TokenType == JsonTokenType.String && r.ValueTextEquals("Point"u8);
            }
            else if (r.ValueTextEquals("coordinates"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); continue; }
                var n = 0;
                coordinatesOk = true;
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var v) && double.IsFinite(v))
                    {
                        if (n == 0) lon = v;
                        else if (n == 1) lat = v;
                    }
                    else coordinatesOk = false;
                    r.Skip();
                    n++;
                }
                coordinatesOk &= n is 2 or 3;
            }
            else r.Read();
            r.Skip();
        }
        if (!isPoint) return "must be a Point: an asset is one position";
        if (!coordinatesOk) return "must have coordinates [longitude, latitude]: 2 finite numbers";
        location = new GeoPoint(lon, lat);
        return null;
    }

    /// <summary>
    /// The properties object. On a value of the wrong type, each member is read again on its own so that every
    /// bad member is named, not only the first.
    /// </summary>
    private FeatureProperties? Properties(ReadOnlySpan<byte> json, int i, string? id)
    {
        try
        {
            return JsonSerializer.Deserialize(json, PropertiesInfo);
        }
        catch (JsonException)
        {
        }
        var r = new Utf8JsonReader(json);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)r.TokenStartIndex;
            r.Read();
            r.Skip();
            var member = new byte[(int)r.BytesConsumed - start + 2];
            (member[0], member[^1]) = ((byte)'{', (byte)'}');
            json[start..(int)r.BytesConsumed].CopyTo(member.AsSpan(1));
            try
            {
                JsonSerializer.Deserialize(member, PropertiesInfo);
            }
            catch (JsonException e)
            {
                var path = e.Path is null or "$" ? "" : e.Path[1..];
                errors.Add(new FeatureError(i, id, "properties" + path, JsonExpectations.Describe(PropertiesInfo, path)));
            }
        }
        return null;
    }
}
