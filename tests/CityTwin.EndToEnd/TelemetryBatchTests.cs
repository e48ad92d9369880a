using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CityTwin.EndToEnd;

/// <summary>POST /api/telemetry on a real silo and API: batches applied, ordered per asset, refused whole when malformed.</summary>
[Collection(ApiCollection.Name)]
public sealed class TelemetryBatchTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;

    // Each test takes its own assets, so the tests never see each other's readings.
    private Asset Pole(int n) => fixture.City.Assets.Where(a => a.Type == AssetType.Pole).Skip(200 + n).First();
    private Asset Camera(int n) => fixture.City.Assets.Where(a => a.Type == AssetType.Camera).Skip(20 + n).First();

    private static string At(int minutesAgo) => $"\"{DateTimeOffset.UtcNow.AddMinutes(-minutesAgo):O}\"";

    private async Task<JsonNode> AssetAsync(string id) => await Json.ReadAsync(await Http.GetAsync($"/api/assets/{id}"));

    private Task<HttpResponseMessage> PostAsync(string body, string mediaType = "application/json") =>
        Http.PostAsync("/api/telemetry", new StringContent(body, Encoding.UTF8, mediaType));

    [Fact]
    public async Task A_json_array_batch_is_applied_to_every_asset_it_names()
    {
        var (p1, p2, cam) = (Pole(0), Pole(1), Camera(0));
        var response = await PostAsync($$"""
            [{"id":"{{p1.Id}}","timestamp":{{At(3)}},"dimLevel":41},
             {"id":"{{p2.Id}}","timestamp":{{At(3)}},"dimLevel":42,"powerW":33.5},
             {"id":"{{cam.Id}}","timestamp":{{At(3)}},"vehicleCount":17,"frameRate":24}]
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await Json.ReadAsync(response);
        Assert.Equal(3, (int)report["received"]!);
        Assert.Equal(3, (int)report["applied"]!);
        Assert.Equal(0, (int)report["stale"]!);
        Assert.Empty(report["rejected"]!.AsArray());
        Assert.Equal(41, (double)(await AssetAsync(p1.Id))["pole"]!["dimLevel"]!);
        Assert.Equal(33.5, (double)(await AssetAsync(p2.Id))["pole"]!["powerW"]!);
        Assert.Equal(17, (int)(await AssetAsync(cam.Id))["camera"]!["vehicleCount"]!);
    }

    [Fact]
    public async Task An_ndjson_batch_is_applied_and_blank_lines_are_ignored()
    {
        var (p1, p2) = (Pole(2), Pole(3));
        var body = $"{{\"id\":\"{p1.Id}\",\"dimLevel\":51}}\r\n\n{{\"id\":\"{p2.Id}\",\"dimLevel\":52}}\n";
        var response = await PostAsync(body, "application/x-ndjson");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (int)(await Json.ReadAsync(response))["applied"]!);
        Assert.Equal(51, (double)(await AssetAsync(p1.Id))["pole"]!["dimLevel"]!);
        Assert.Equal(52, (double)(await AssetAsync(p2.Id))["pole"]!["dimLevel"]!);
    }

    [Fact]
    public async Task Readings_of_one_asset_are_applied_in_timestamp_order_so_the_newest_wins()
    {
        var pole = Pole(4);
        // Newest first in the batch: applied oldest first, so the 1-minute-old reading is the pole's state.
        var response = await PostAsync($$"""
            [{"id":"{{pole.Id}}","timestamp":{{At(1)}},"dimLevel":77},
             {"id":"{{pole.Id}}","timestamp":{{At(9)}},"dimLevel":11},
             {"id":"{{pole.Id}}","timestamp":{{At(5)}},"dimLevel":22}]
            """);

        var report = await Json.ReadAsync(response);
        Assert.Equal(3, (int)report["applied"]!);
        Assert.Equal(77, (double)(await AssetAsync(pole.Id))["pole"]!["dimLevel"]!);

        // A later batch with an older reading is stale, and changes nothing.
        var late = await Json.ReadAsync(await PostAsync($$"""[{"id":"{{pole.Id}}","timestamp":{{At(30)}},"dimLevel":5}]"""));
        Assert.Equal(1, (int)late["stale"]!);
        Assert.Equal(77, (double)(await AssetAsync(pole.Id))["pole"]!["dimLevel"]!);
    }

    [Fact]
    public async Task Each_reading_stands_alone_unknown_assets_and_invalid_readings_are_reported_the_rest_applied()
    {
        var (pole, cam) = (Pole(5), Camera(1));
        var response = await PostAsync($$"""
            [{"id":"{{pole.Id}}","dimLevel":63},
             {"id":"pole-does-not-exist","dimLevel":10},
             {"id":"{{cam.Id}}","latencyMs":80},
             {"id":"{{cam.Id}}","vehicleCount":9}]
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await Json.ReadAsync(response);
        Assert.Equal(4, (int)report["received"]!);
        Assert.Equal(2, (int)report["applied"]!);
        var rejected = report["rejected"]!.AsArray();
        Assert.Equal(2, rejected.Count);
        var unknown = rejected.Single(r => (int)r!["index"]! == 1)!;
        Assert.Equal(404, (int)unknown["status"]!);
        Assert.Equal("pole-does-not-exist", (string?)unknown["id"]);
        var invalid = rejected.Single(r => (int)r!["index"]! == 2)!;
        Assert.Equal(422, (int)invalid["status"]!);
        Assert.Contains("latencyMs", invalid["errors"]!.AsArray().Select(e => (string)e!["field"]!));
        Assert.Equal(63, (double)(await AssetAsync(pole.Id))["pole"]!["dimLevel"]!);
        Assert.Equal(9, (int)(await AssetAsync(cam.Id))["camera"]!["vehicleCount"]!);
    }

    public static TheoryData<string, string, int, string> MalformedBatches => new()
    {
        // body ("{good}" is a valid reading for the test's pole), media type, the bad reading's index, the field named
        { """[{good}, {"dimLevel": 5}]""", "application/json", 1, "id" },
        { """[{good}, {"id": "pole-000001", "dimLevel": 5, "colour": "red"}]""", "application/json", 1, "colour" },
        { """[{good}, {"id": "pole-000001", "dimLevel": "bright"}]""", "application/json", 1, "dimLevel" },
        { """[{good}, {"id": 42, "dimLevel": 5}]""", "application/json", 1, "id" },
        { """[{good}, {"id": "bad id!", "dimLevel": 5}]""", "application/json", 1, "id" },
        { """[{good}, 7]""", "application/json", 1, "$" },
        { """[{good}, {"id": "pole-000001", "dimLevel": 5""", "application/json", 1, "$" },
        { """{good}""", "application/json", 0, "$" },
        { "{good}\n{\"id\": \"pole-000001\", \"dimLevel\": 5}\n{\"id\": \"pole-000001\", \"dimLevel\": 5,\n", "application/x-ndjson", 2, "$" },
        { "{good}\n\n{\"id\": \"pole-000001\", \"lampOn\": \"yes\"}", "application/x-ndjson", 1, "lampOn" },
    };

    [Theory]
    [MemberData(nameof(MalformedBatches))]
    public async Task A_malformed_batch_is_a_400_naming_the_bad_reading_and_nothing_is_applied(string template, string mediaType, int index, string field)
    {
        var pole = Pole(6);
        var before = (double)(await AssetAsync(pole.Id))["pole"]!["dimLevel"]!;
        var marker = before == 93 ? 94 : 93;
        var body = template.Replace("{good}", $$"""{"id":"{{pole.Id}}","dimLevel":{{marker}}}""");

        var problem = await Json.AssertProblemAsync(await PostAsync(body, mediaType), 400, "validation");

        var errors = problem["errors"]!.AsArray();
        Assert.Contains(errors, e => (int)e!["index"]! == index && (string?)e["field"] == field);
        Assert.Equal(before, (double)(await AssetAsync(pole.Id))["pole"]!["dimLevel"]!);
    }

    [Fact]
    public async Task Every_bad_reading_is_listed_and_ndjson_names_its_line()
    {
        var body = "{\"id\":\"pole-000001\",\"dimLevel\":1}\n{\"dimLevel\":2}\n\n{\"id\":\"pole-000001\",\"dimLevel\":3,\"x\":1}\n{oops\n";
        var problem = await Json.AssertProblemAsync(await PostAsync(body, "application/x-ndjson"), 400, "validation");

        var errors = problem["errors"]!.AsArray().Select(e => ((int?)e!["line"], (string?)e["field"])).ToList();
        Assert.Contains((2, "id"), errors);
        Assert.Contains((4, "x"), errors);
        Assert.Contains((5, "$"), errors);
        Assert.Contains("line 4", (string?)problem["detail"]);
    }

    [Fact]
    public async Task More_readings_than_the_limit_is_a_413_naming_it()
    {
        var body = "[" + string.Join(',', Enumerable.Repeat("""{"id":"pole-000001","dimLevel":1}""", 10_001)) + "]";
        var problem = await Json.AssertProblemAsync(await PostAsync(body), 413, "payload-too-large");
        Assert.Contains("10,000", (string?)problem["detail"]);
        Assert.Equal(10_000, (int)problem["maxReadings"]!);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413()
    {
        var body = $$"""[{"id":"pole-000001","satelliteId":"{{new string('x', 17 << 20)}}"}]""";
        await Json.AssertProblemAsync(await PostAsync(body), 413, "payload-too-large");
    }

    [Fact]
    public async Task A_batch_that_is_not_json_or_ndjson_is_a_415()
    {
        var problem = await Json.AssertProblemAsync(await PostAsync("id=pole-000001", "text/csv"), 415, "unsupported-media-type");
        Assert.Contains("application/x-ndjson", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("[]", "application/json")]
    [InlineData("\n\n", "application/x-ndjson")]
    [InlineData("", "application/json")]
    public async Task An_empty_batch_is_a_400(string body, string mediaType)
    {
        await Json.AssertProblemAsync(await PostAsync(body, mediaType), 400, "validation");
    }

    [Fact]
    public async Task The_mqtt_status_says_when_the_bridge_is_off()
    {
        var status = await Json.ReadAsync(await Http.GetAsync("/api/telemetry/mqtt"));
        Assert.False((bool)status["enabled"]!);
    }
}
