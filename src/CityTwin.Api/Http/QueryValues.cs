using System.Globalization;

namespace CityTwin.Api.Http;

/// <summary>
/// Numbers and flags from the query string, bound here rather than by the framework, whose failures were a 500 in
/// Development and an anonymous 400 in Production. Handlers declare these parameters as strings (so OpenAPI still
/// lists them); every refusal is a validation problem naming the parameter and the form it takes.
/// </summary>
public static class QueryValues
{
    public readonly record struct Parsed<T>(T Value, BadRequestProblem? Problem);

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>]; absent is <paramref name="fallback"/>, empty is an error.</summary>
    public static Parsed<int> Int(string name, string? raw, int min, int max, int fallback)
    {
        if (raw is null) return new(fallback, null);
        // NumberStyles.None: digits only — no sign, spaces, exponent, decimals or thousands separators.
        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return new(value, null);
        return new(fallback, Problems.Invalid(name, $"must be a whole number from {min} to {max:N0} (default {fallback}), not '{Shown(raw)}'"));
    }

    /// <summary>true or false (any case); absent is null.</summary>
    public static Parsed<bool?> Flag(string name, string? raw)
    {
        if (raw is null) return new(null, null);
        if (bool.TryParse(raw, out var value)) return new(value, null);
        return new(null, Problems.Invalid(name, $"must be true or false, not '{Shown(raw)}'"));
    }

    /// <summary>An asset type by name (any case: pole, camera, intersection, link); absent is null.</summary>
    public static Parsed<AssetType?> Type(string name, string? raw)
    {
        if (raw is null) return new(null, null);
        if (raw.Length > 0 && !char.IsDigit(raw[0]) && Enum.TryParse<AssetType>(raw, ignoreCase: true, out var type) && Enum.IsDefined(type)) return new(type, null);
        return new(null, Problems.Invalid(name, $"must be pole, camera, intersection or link, not '{Shown(raw)}'"));
    }

    /// <summary>The value as received, cut short: a problem need not echo a megabyte back.</summary>
    public static string Shown(string raw) => raw.Length > 40 ? raw[..40] + "…" : raw;
}
