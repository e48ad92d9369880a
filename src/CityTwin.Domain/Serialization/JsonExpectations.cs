using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CityTwin.Domain.Serialization;

/// <summary>
/// Turns the path of a value System.Text.Json refused into what the value should have been ("must be a number",
/// "must be one of pole, camera, …", "is not a known property"), read from the serializer's own metadata so the
/// message can never disagree with what the serializer accepts.
/// </summary>
internal static class JsonExpectations
{
    private const string Unknown = "has a value of the wrong type";

    /// <param name="path">A System.Text.Json path below <paramref name="root"/> without its "$", e.g. ".intersection.plan.phases[0].approaches[1]".</param>
    public static string Describe(JsonTypeInfo root, string path)
    {
        var info = root;
        var rest = path.AsSpan();
        while (rest.Length > 0)
        {
            if (rest[0] == '.')
            {
                rest = rest[1..];
                var end = rest.IndexOfAny('.', '[');
                var name = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[end..];
                JsonPropertyInfo? property = null;
                foreach (var p in info.Properties)
                    if (name.Equals(p.Name, StringComparison.OrdinalIgnoreCase)) property = p;
                if (property is null) return info.Kind == JsonTypeInfoKind.Object ? "is not a known property" : Unknown;
                info = info.Options.GetTypeInfo(property.PropertyType);
            }
            else if (rest[0] == '[' && rest.IndexOf(']') is var close and > 1 && int.TryParse(rest[1..close], out _) && info.ElementType is { } element)
            {
                rest = rest[(close + 1)..];
                info = info.Options.GetTypeInfo(element);
            }
            else return Unknown; // a quoted name ($['a.b']): not one of ours
        }
        return Expected(info);
    }

    private static string Expected(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type.IsEnum) return "must be one of " + string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName));
        if (type == typeof(bool)) return "must be true or false";
        if (type == typeof(string)) return "must be a string";
        if (type == typeof(int) || type == typeof(long)) return "must be a whole number";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "must be a number";
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "must be an array",
            JsonTypeInfoKind.Object when info.Properties.Where(p => p.IsRequired).Select(p => p.Name).ToArray() is { Length: > 0 } required
                => $"must be an object with {string.Join(", ", required)}",
            JsonTypeInfoKind.Object => "must be an object",
            _ => Unknown,
        };
    }
}
