using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Domain.City;
using CityTwin.LoadTests;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace CityTwin.EndToEnd;

/// <summary>
/// A real mosquitto on a random loopback port, with accounts and ACLs as the AppHost's, and a twin whose API bridges
/// it, loaded with a small city. <see cref="Gateway"/> may publish to every district; <see cref="DeviceOf"/> gives a
/// device account limited to one district (the first two districts of the city have one).
/// </summary>
public sealed class MqttFixture : IAsyncLifetime
{
    public Mosquitto? Broker { get; private set; }
    public MqttAccount Gateway { get; } = new("gateway", MosquittoAuth.NewPassword(), "+");
    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 11, Districts = 3 });
    public HttpClient Http => Twin.Http;

    public async Task InitializeAsync()
    {
        if (Mosquitto.Binary is null) return; // the tests skip, or fail under CI
        var devices = Districts.Take(2).Select(d => new MqttAccount($"device-{d}", MosquittoAuth.NewPassword(), d));
        Broker = await Mosquitto.StartAsync([Gateway, .. devices]);
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(), [.. Broker.BridgeArguments, .. BridgeSettings]);
        var response = await ApiFixture.ImportAsync(Http, City.Assets);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        if (Broker is null) return;
        await Twin.DisposeAsync();
        await Broker.DisposeAsync();
    }

    /// <summary>The bridge's settings besides the broker and its account: quick retries, every warning logged.</summary>
    public string[] BridgeSettings { get; } =
        [$"--Mqtt:ClientId=citytwin-e2e-{Guid.NewGuid():N}", "--Mqtt:InitialBackoff=00:00:00.200", "--Mqtt:MaxBackoff=00:00:01", "--Mqtt:WarningInterval=00:00:00"];

    /// <summary>The city's districts, in order.</summary>
    public IReadOnlyList<string> Districts => City.Assets.Select(a => a.District).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The device account of one of the first two districts.</summary>
    public MqttAccount DeviceOf(string district) => RequireBroker().Devices.Single(d => d.District == district);

    public Mosquitto RequireBroker() => Broker ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install -y mosquitto): CI requires it");

    /// <summary>Publishes QoS 1 messages as the <see cref="Gateway"/> from a fresh client (acknowledged by the broker before this returns).</summary>
    public async Task PublishAsync(params (string Topic, string Payload)[] messages)
    {
        var results = await PublishAsAsync(Gateway, messages);
        Assert.All(results, r => Assert.Equal(MqttClientPublishReasonCode.Success, r.ReasonCode));
    }

    /// <summary>
    /// Publishes QoS 1 messages over MQTT 5 from a fresh client signed in as <paramref name="account"/> (null:
    /// anonymous), and returns the broker's PUBACK for each (MQTT 5 carries a reason code: 0x87 when the ACL refuses).
    /// </summary>
    public async Task<MqttClientPublishResult[]> PublishAsAsync(MqttAccount? account, params (string Topic, string Payload)[] messages)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var connected = await client.ConnectAsync(Options(account?.User, account?.Password));
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        var results = new List<MqttClientPublishResult>();
        foreach (var (topic, payload) in messages)
            results.Add(await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
        await client.DisconnectAsync();
        return [.. results];
    }

    /// <summary>The broker's answer to a CONNECT with these credentials (null: none).</summary>
    public async Task<MqttClientConnectResultCode> ConnectAsync(string? user, string? password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var connected = await client.ConnectAsync(Options(user, password));
        if (client.IsConnected) await client.DisconnectAsync();
        return connected.ResultCode;
    }

    private MqttClientOptions Options(string? user, string? password)
    {
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", RequireBroker().Port)
            .WithClientId($"device-{Guid.NewGuid():N}").WithProtocolVersion(MqttProtocolVersion.V500);
        if (user is not null) options = options.WithCredentials(user, password);
        return options.Build();
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
