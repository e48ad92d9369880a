using System.Net.Http.Headers;
using CityTwin.Domain.Access;

namespace CityTwin.LoadTests;

/// <summary>
/// A twin's first admin key, made the way a deployment makes one: the processes get only its hash
/// (<c>--Auth:AdminKeyHash</c>), the client the key. Shared by the benchmarks and the tests' hosts.
/// </summary>
public sealed record AdminKey(string Key, string Argument)
{
    public static AdminKey New()
    {
        var (id, key) = ApiKeyToken.New();
        return new(key, $"--Auth:AdminKeyHash={id}:{ApiKeyToken.Hash(key)}");
    }

    public static AuthenticationHeaderValue Header(string key) => new("ApiKey", key);

    public HttpClient Authorize(HttpClient http)
    {
        http.DefaultRequestHeaders.Authorization = Header(Key);
        return http;
    }
}
