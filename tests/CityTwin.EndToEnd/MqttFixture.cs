using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;
using CityTwin.LoadTests;
using MQTTnet;
using MQTTnet.Protocol;

namespace CityTwin.EndToEnd;

/// <summary>A real mosquitto on a random loopback port, and a twin whose API bridges it, loaded with a small city.</summary>
public sealed class MqttFixture : IAsyncLifetime
{
    public Mosquitto? Broker { get; private set; }
    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 11 });
    public HttpClient Http => Twin.Http;

    public async Task InitializeAsync()
    {
        if (Mosquitto.Binary is null) return; // the tests skip, or fail under CI
        Broker = await Mosquitto.StartAsync();
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(),
            "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={Broker.Port}", $"--Mqtt:ClientId=citytwin-e2e-{Guid.NewGuid():N}",
            "--Mqtt:InitialBackoff=00:00:00.200", "--Mqtt:MaxBackoff=00:00:01", "--Mqtt:WarningInterval=00:00:00");
        var response = await Http.PostAsync("/api/import", new ByteArrayContent(await ApiFixture.ToGeoJsonAsync(City.Assets))
        {
            Headers = { ContentType = new("application/geo+json") },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        if (Broker is null) return;
        await Twin.DisposeAsync();
        await Broker.DisposeAsync();
    }

    public Mosquitto RequireBroker() => Broker ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install -y mosquitto): CI requires it");

    /// <summary>Publishes QoS 1 messages from a fresh client (acknowledged by the broker before this returns).</summary>
    public async Task PublishAsync(params (string Topic, string Payload)[] messages)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", RequireBroker().Port).WithClientId($"device-{Guid.NewGuid():N}").Build());
        foreach (var (topic, payload) in messages)
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync();
    }

    public async Task<JsonNode> StatusAsync() => await Json.ReadAsync(await Http.GetAsync("/api/telemetry/mqtt"));

    /// <summary>Polls until <paramref name="done"/> holds (or fails with what was last seen).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"not reached in time; last seen: {value}");
            await Task.Delay(50);
        }
    }
}
