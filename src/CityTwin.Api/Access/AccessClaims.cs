namespace CityTwin.Api.Access;

/// <summary>Claims that limit a caller, in an API key's principal and in a city's JWTs alike (a string, space-separated, or an array).</summary>
public static class AccessClaims
{
    public const string Districts = "citytwin:districts";
    public const string Types = "citytwin:types";
    public const string Department = "citytwin:department";
    /// <summary>"key" for an API key, "user" for a token.</summary>
    public const string Kind = "citytwin:kind";
}
