using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CityTwin.Domain.Serialization;

/// <summary>
/// The product's one JSON convention, for the API and GeoJSON alike: web defaults (camelCase, case-insensitive
/// reading), enums as camelCase strings (read case-insensitively, numbers refused), nulls omitted, numbers
/// strict (no quoted numbers, no NaN), and unknown properties refused so a misspelt field is an error rather
/// than silently ignored. Metadata comes from <see cref="CityTwinJsonContext"/> where the source generator is
/// correct and from reflection otherwise — which also serves any type the API adds later.
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
            TypeInfoResolver = JsonTypeInfoResolver.Combine(CityTwinJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly();
        return options;
    }
}
