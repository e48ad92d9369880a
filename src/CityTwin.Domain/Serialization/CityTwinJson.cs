using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CityTwin.Domain.Serialization;

/// <summary>
/// The product's one JSON convention, for the API and GeoJSON alike: camelCase names, enums as camelCase
/// strings, nulls omitted, and unknown properties refused so a misspelt field is an error rather than ignored.
/// Reflection-based metadata on purpose: System.Text.Json's source generator assigns every init-only property,
/// so a property missing from the JSON would overwrite the record's default (an empty array) with null.
/// </summary>
public static class CityTwinJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowTrailingCommas = false,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly();
        return options;
    }
}
