using System.Text.Json.Nodes;

namespace CityTwin.EndToEnd;

/// <summary>
/// The OpenAPI document describes what each operation answers — its success body and its problems, each with a
/// schema, read from the handlers' typed results — and files every /api path under the one tag of its resource.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiResponseTests(ApiFixture fixture)
{
    private async Task<JsonObject> PathsAsync()
    {
        var doc = JsonNode.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"))!;
        return doc["paths"]!.AsObject();
    }

    /// <summary>A group's root route ("/api/alarms/") is documented with or without its trailing slash.</summary>
    private static JsonNode Operation(JsonObject paths, string path, string method)
    {
        var key = paths.Select(p => p.Key).SingleOrDefault(k => k.TrimEnd('/') == path);
        Assert.True(key is not null, $"{path} is missing from the document: {string.Join(", ", paths.Select(p => p.Key))}");
        var operation = paths[key]![method];
        Assert.True(operation is not null, $"{method.ToUpperInvariant()} {path} is missing from the document");
        return operation;
    }

    private static void AssertResponse(JsonNode operation, string status, string contentType, string what)
    {
        var response = operation["responses"]?[status];
        Assert.True(response is not null, $"{what}: no {status} in {operation["responses"]?.ToJsonString()}");
        var schema = response["content"]?[contentType]?["schema"];
        Assert.True(schema is JsonObject { Count: > 0 }, $"{what}: the {status} {contentType} response has no schema: {response.ToJsonString()}");
    }

    [Theory]
    [InlineData("/api/assets/{id}", "get", new[] { "400", "404" })]
    [InlineData("/api/assets/{id}/status", "post", new[] { "400", "404", "413", "415" })]
    [InlineData("/api/alarms", "get", new[] { "400", "404" })]
    [InlineData("/api/districts/{id}/power", "post", new[] { "400", "404" })]
    [InlineData("/api/scenarios/{id}/compare", "get", new[] { "400", "404", "409" })]
    public async Task An_operation_lists_its_success_and_its_problems_with_schemas(string path, string method, string[] problems)
    {
        var operation = Operation(await PathsAsync(), path, method);
        AssertResponse(operation, "200", "application/json", $"{method} {path}");
        foreach (var status in problems) AssertResponse(operation, status, "application/problem+json", $"{method} {path}");
    }

    [Fact]
    public async Task Streams_and_accepted_commands_declare_what_they_answer()
    {
        var paths = await PathsAsync();
        Assert.NotNull(Operation(paths, "/api/feed", "get")["responses"]?["200"]?["content"]?["text/event-stream"]);
        Assert.NotNull(Operation(paths, "/api/export", "get")["responses"]?["200"]?["content"]?["application/geo+json"]);
        AssertResponse(Operation(paths, "/api/scenarios", "post"), "202", "application/json", "post /api/scenarios");
        AssertResponse(Operation(paths, "/api/scenarios", "post"), "503", "application/problem+json", "post /api/scenarios");
        AssertResponse(Operation(paths, "/api/stats", "get"), "200", "application/json", "get /api/stats");
        AssertResponse(Operation(paths, "/api/scenarios/examples", "get"), "200", "application/json", "get /api/scenarios/examples");
    }

    [Fact]
    public async Task Every_api_path_belongs_to_exactly_one_tag()
    {
        var paths = await PathsAsync();
        var tagOf = new Dictionary<string, string>();
        foreach (var (path, item) in paths.Where(p => p.Key.StartsWith("/api", StringComparison.Ordinal)))
        {
            var tags = item!.AsObject().Where(o => o.Value?["tags"] is not null)
                .SelectMany(o => o.Value!["tags"]!.AsArray().Select(t => (string)t!)).Distinct().ToList();
            Assert.True(tags.Count == 1, $"{path} has tags [{string.Join(", ", tags)}]");
            tagOf[path.TrimEnd('/')] = tags[0];
        }
        // The resource decides the tag, not the kind of operation: a district's power is the district's.
        Assert.Equal("Assets", tagOf["/api/assets"]);
        Assert.Equal("Assets", tagOf["/api/assets/{id}/dependents"]);
        Assert.Equal("Districts", tagOf["/api/districts/{id}/power"]);
        Assert.Equal("Links", tagOf["/api/links/{id}/status"]);
        Assert.Equal("Intersections", tagOf["/api/intersections/{id}/controller"]);
        Assert.Equal("Stats", tagOf["/api/stats"]);
    }
}
