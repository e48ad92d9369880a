using System.Text.Json.Nodes;
using CityTwin.Api.Ingest;
using CityTwin.LoadTests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace CityTwin.EndToEnd;

/// <summary>
/// The broker's accounts (issue 15): no client without credentials or with a wrong password, a device only under its
/// own district's topics — refused by mosquitto itself, so nothing of it reaches the bridge — and a bridge whose
/// credentials the broker refuses says so in its status, once in its log, and never shows the password.
/// </summary>
public sealed class MqttAccessTests(MqttFixture fixture) : IClassFixture<MqttFixture>
{
    private Asset PoleIn(string district, int n = 0) => fixture.City.Assets.Where(a => a.Type == AssetType.Pole && a.District == district).Skip(n).First();
    private static string Topic(Asset a) => $"city/{a.District}/pole/{a.Id}/telemetry";

    private async Task<JsonNode> AssetAsync(string id) => await Json.ReadAsync(await fixture.Http.GetAsync($"/api/assets/{id}"));

    [MqttFact]
    public async Task A_client_without_credentials_or_with_a_wrong_password_is_refused_at_connect()
    {
        fixture.RequireBroker();
        var device = fixture.DeviceOf(fixture.Districts[0]);

        Assert.NotEqual(MqttClientConnectResultCode.Success, await fixture.ConnectAsync(null, null));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await fixture.ConnectAsync(device.User, device.Password + "x"));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await fixture.ConnectAsync(MosquittoAuth.BridgeUser, "not-the-password"));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await fixture.ConnectAsync("nobody", device.Password));
        Assert.Equal(MqttClientConnectResultCode.Success, await fixture.ConnectAsync(device.User, device.Password));
    }

    [MqttFact]
    public async Task A_device_may_publish_to_its_own_district_only_and_the_broker_refuses_the_rest()
    {
        fixture.RequireBroker();
        await MqttFixture.EventuallyAsync(fixture.StatusAsync, s => (bool?)s["connected"] == true);
        var (home, other) = (fixture.Districts[0], fixture.Districts[1]);
        var device = fixture.DeviceOf(home);
        var (mine, theirs) = (PoleIn(home), PoleIn(other));
        var start = await fixture.StatusAsync();

        // MQTT 5: the broker answers a refused QoS 1 PUBLISH with PUBACK reason 0x87 (not authorized).
        var refused = await fixture.PublishAsAsync(device,
            (Topic(theirs), """{"dimLevel":13}"""),
            ($"city/{other}/pole/{mine.Id}/telemetry", """{"dimLevel":13}"""), // its own asset, but under another district's topic
            ("devices/anything", """{"dimLevel":13}"""));
        Assert.All(refused, r => Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, r.ReasonCode));

        var accepted = await fixture.PublishAsAsync(device, (Topic(mine), """{"dimLevel":37}"""));
        Assert.Equal(MqttClientPublishReasonCode.Success, accepted.Single().ReasonCode);
        await MqttFixture.EventuallyAsync(() => AssetAsync(mine.Id), a => (double?)a["pole"]?["dimLevel"] == 37);

        // What the broker refused never reached the bridge (it received the accepted message only; the tests of a
        // class run one at a time), and the other district's pole has no such reading.
        // (The bridge counts a reading just after its asset took it: wait for the count.)
        var before = await MqttFixture.EventuallyAsync(fixture.StatusAsync, s => (long)s["applied"]! == (long)start["applied"]! + 1);
        Assert.Equal((long)start["received"]! + 1, (long)before["received"]!);
        Assert.NotEqual(13, (double?)(await AssetAsync(theirs.Id))["pole"]?["dimLevel"]);

        // Under its own district's topic, naming another district's asset: the broker lets it through, the bridge refuses it.
        var disguised = await fixture.PublishAsAsync(device, ($"city/{home}/pole/{theirs.Id}/telemetry", """{"dimLevel":14}"""));
        Assert.Equal(MqttClientPublishReasonCode.Success, disguised.Single().ReasonCode);
        var after = await MqttFixture.EventuallyAsync(fixture.StatusAsync, s => (long)s["messages"]!["wrong_district"]! > (long)before["messages"]!["wrong_district"]!);
        Assert.Equal((long)before["applied"]!, (long)after["applied"]!);
        Assert.NotEqual(14, (double?)(await AssetAsync(theirs.Id))["pole"]?["dimLevel"]);
    }

    [MqttFact]
    public async Task A_bridge_the_broker_refuses_reports_it_logs_it_once_and_keeps_trying_without_showing_the_password()
    {
        var broker = fixture.RequireBroker();
        const string wrong = "wrong-password-do-not-show";
        var status = new MqttStatus(TimeProvider.System);
        var log = new RecordingLogger<MqttBridge>();
        var options = Options.Create(new MqttOptions
        {
            Host = "127.0.0.1", Port = broker.Port, Username = MosquittoAuth.BridgeUser, Password = wrong,
            ClientId = $"citytwin-e2e-refused-{Guid.NewGuid():N}", InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(200),
        });
        // A second bridge on the twin's own services, with its own status and log.
        var bridge = ActivatorUtilities.CreateInstance<MqttBridge>(fixture.Twin.ApiServices, options, status, log);
        await bridge.StartAsync(CancellationToken.None);
        try
        {
            await MqttFixture.EventuallyAsync(() => Task.FromResult(Snapshot(status)), s => (string?)s["state"] == "refused");
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // several more attempts: still refused, not logged again
            var seen = Snapshot(status);
            Assert.Equal("refused", (string?)seen["state"]);
            Assert.False((bool)seen["connected"]!);
            Assert.Equal(MosquittoAuth.BridgeUser, (string?)seen["username"]);
            Assert.Contains("refused", (string?)seen["lastConnectionError"]);
            Assert.Single(log.Entries, e => e.Level >= LogLevel.Warning);
            Assert.True(log.Entries.Count(e => e.Level == LogLevel.Debug) >= 2, "it keeps trying");
            Assert.DoesNotContain(wrong, seen.ToJsonString());
            Assert.DoesNotContain(log.Entries, e => e.Message.Contains(wrong, StringComparison.Ordinal));
        }
        finally
        {
            await bridge.StopAsync(CancellationToken.None);
            bridge.Dispose();
        }
        // The fixture's bridge, with the right password, was never disturbed.
        Assert.True((bool)(await fixture.StatusAsync())["connected"]!);
    }

    private static JsonNode Snapshot(MqttStatus status) => JsonNode.Parse(status.Snapshot() is { } view
        ? System.Text.Json.JsonSerializer.Serialize(view, System.Text.Json.JsonSerializerOptions.Web)
        : System.Text.Json.JsonSerializer.Serialize(MqttStatus.Off, System.Text.Json.JsonSerializerOptions.Web))!;
}
