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

    /// <summary>
    /// Applies the convention to options someone else owns — ASP.NET Core's HTTP JSON options, so the API's typed
    /// results, its problems and its OpenAPI schemas follow it too — starting from web defaults.
    /// </summary>
    public static void ApplyTo(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(CityTwinJsonContext.Default, new DefaultJsonTypeInfoResolver());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApplyTo(options);
        options.MakeReadOnly();
        return options;
    }
}
