using System.Text.Json.Nodes;

namespace CityTwin.EndToEnd;

/// <summary>The MQTT bridge through a real mosquitto: readings applied, bad messages counted, broker restarts survived.</summary>
public sealed class MqttBridgeTests(MqttFixture fixture) : IClassFixture<MqttFixture>
{
    private Asset Nth(AssetType type, int n) => fixture.City.Assets.Where(a => a.Type == type).Skip(n).First();
    private static string Topic(Asset a, string? type = null) => $"city/{a.District}/{type ?? a.Type.ToString().ToLowerInvariant()}/{a.Id}/telemetry";
    private static string Now(int secondsAgo = 0) => $"\"{DateTimeOffset.UtcNow.AddSeconds(-secondsAgo):O}\"";

    private async Task<JsonNode> AssetAsync(string id) => await Json.ReadAsync(await fixture.Http.GetAsync($"/api/assets/{id}"));

    private Task<JsonNode> ConnectedAsync() => MqttFixture.EventuallyAsync(fixture.StatusAsync, s => (bool?)s["connected"] == true);

    private Task<JsonNode> PoleAsync(Asset pole, double dimLevel) =>
        MqttFixture.EventuallyAsync(() => AssetAsync(pole.Id), a => (double?)a["pole"]?["dimLevel"] == dimLevel);

    [MqttFact]
    public async Task Readings_published_to_the_broker_are_applied_one_reading_or_an_array_per_message()
    {
        fixture.RequireBroker();
        await ConnectedAsync();
        var (pole, camera) = (Nth(AssetType.Pole, 0), Nth(AssetType.Camera, 0));

        await fixture.PublishAsync(
            (Topic(pole), $$"""{"timestamp":{{Now(5)}},"dimLevel":64,"powerW":40.5}"""),
            (Topic(camera), $$"""[{"timestamp":{{Now(2)}},"vehicleCount":31},{"timestamp":{{Now(9)}},"vehicleCount":3}]"""));

        var applied = await PoleAsync(pole, 64);
        Assert.Equal(40.5, (double)applied["pole"]!["powerW"]!);
        // Both readings of the camera's message applied oldest first: the newer count is the camera's.
        await MqttFixture.EventuallyAsync(() => AssetAsync(camera.Id), a => (int?)a["camera"]?["vehicleCount"] == 31);
        var status = await fixture.StatusAsync();
        Assert.True((long)status["applied"]! >= 3);
    }

    [MqttFact]
    public async Task Malformed_messages_are_counted_by_outcome_and_the_bridge_keeps_working()
    {
        fixture.RequireBroker();
        await ConnectedAsync();
        var (pole, camera) = (Nth(AssetType.Pole, 1), Nth(AssetType.Camera, 1));
        var before = await fixture.StatusAsync();

        await fixture.PublishAsync(
            ($"city/{pole.District}/spaceship/{pole.Id}/telemetry", """{"dimLevel":10}"""),   // unknown type in the topic
            (Topic(pole), """{"dimLevel":10"""),                                               // broken JSON
            (Topic(pole), """{"dimLevel":10,"colour":"red"}"""),                               // unknown field
            (Topic(pole), """{"id":"pole-someone-else","dimLevel":10}"""),                     // id disagrees with the topic
            (Topic(pole), """{"dimLevel":500}"""),                                             // out of range: the asset refuses it
            ($"city/{pole.District}/pole/pole-nobody/telemetry", """{"dimLevel":10}"""),       // no such asset
            (Topic(camera, "pole"), """{"timestamp":"2026-01-01T00:00:00Z"}"""));              // a camera published as a pole

        var after = await MqttFixture.EventuallyAsync(fixture.StatusAsync,
            s => Count(s, "malformed") - Count(before, "malformed") >= 4 && Count(s, "invalid") > Count(before, "invalid")
                 && Count(s, "unknown_asset") > Count(before, "unknown_asset") && Count(s, "wrong_type") > Count(before, "wrong_type"));
        Assert.Equal(4, Count(after, "malformed") - Count(before, "malformed"));
        Assert.Equal(1, Count(after, "invalid") - Count(before, "invalid"));
        Assert.Equal(1, Count(after, "unknown_asset") - Count(before, "unknown_asset"));
        Assert.Equal(1, Count(after, "wrong_type") - Count(before, "wrong_type"));
        Assert.True((long)after["malformed"]! >= 7);
        var errors = after["lastErrors"]!.AsArray().Select(e => (string)e!["outcome"]!).ToList();
        Assert.Contains("wrong_type", errors);
        Assert.Contains("malformed", errors);

        // Nothing of them reached the asset, and the bridge still applies what is good.
        Assert.NotEqual(500, (double?)(await AssetAsync(pole.Id))["pole"]?["dimLevel"]);
        await fixture.PublishAsync((Topic(pole), """{"dimLevel":71}"""));
        await PoleAsync(pole, 71);
        Assert.True((bool)(await fixture.StatusAsync())["connected"]!);
    }

    [MqttFact]
    public async Task After_the_broker_is_killed_and_restarted_the_bridge_reconnects_and_applies_new_messages()
    {
        var broker = fixture.RequireBroker();
        await ConnectedAsync();
        var reconnects = (long)(await fixture.StatusAsync())["reconnects"]!;
        var pole = Nth(AssetType.Pole, 2);

        broker.Kill();
        await MqttFixture.EventuallyAsync(fixture.StatusAsync, s => (bool?)s["connected"] == false);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a few failed attempts: the backoff must not give up
        await broker.StartAgainAsync();

        var status = await ConnectedAsync();
        Assert.Equal(reconnects + 1, (long)status["reconnects"]!);
        await fixture.PublishAsync((Topic(pole), """{"dimLevel":88}"""));
        await PoleAsync(pole, 88);
    }

    private static long Count(JsonNode status, string outcome) => (long?)status["messages"]?[outcome] ?? throw new InvalidOperationException($"no messages.{outcome} in {status.ToJsonString()}");
}
