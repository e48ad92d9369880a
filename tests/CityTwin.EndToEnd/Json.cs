using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CityTwin.EndToEnd;

internal static class Json
{
    public static StringContent Body(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    /// <summary>Asserts an RFC 7807 problem with the given status and type, and returns it.</summary>
    public static async Task<JsonNode> AssertProblemAsync(HttpResponseMessage response, int status, string typeSuffix)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal($"https://citytwin.dev/problems/{typeSuffix}", (string?)problem["type"]);
        Assert.Equal(status, (int?)problem["status"]);
        return problem;
    }

    public static IEnumerable<string> ErrorFields(JsonNode problem) =>
        problem["errors"]!.AsArray().Select(e => (string)e!["field"]!);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string url, object value) =>
        http.PostAsync(url, Body(JsonSerializer.Serialize(value, JsonSerializerOptions.Web)));
}
