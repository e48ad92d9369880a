using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace CityTwin.Api.Ingest;

/// <summary>What <c>GET /api/telemetry/mqtt</c> shows: the bridge's connection, its counts and its last errors.</summary>
public sealed class MqttStatus(TimeProvider time)
{
    private const int KeptErrors = 20;
    private readonly ConcurrentDictionary<string, long> _messages = new(MqttOutcome.All.Select(o => KeyValuePair.Create(o, 0L)));
    private readonly ConcurrentQueue<MqttError> _errors = new();
    private long _received, _readingsApplied, _readingsStale, _readingsRejected, _reconnects;
    private volatile bool _connected;
    private volatile string _state = MqttConnectionState.Connecting;
    private DateTimeOffset? _connectedSince, _lastMessageAt;
    private string? _lastConnectionError;

    public bool Enabled { get; private set; }
    public string? Broker { get; private set; }
    public string? Topic { get; private set; }
    public string? Username { get; private set; }

    public void Configure(string broker, string topic, string? username) => (Enabled, Broker, Topic, Username) = (true, broker, topic, username);

    public void Connected(bool reconnect)
    {
        _connected = true;
        _state = MqttConnectionState.Connected;
        _connectedSince = time.GetUtcNow();
        if (reconnect) Interlocked.Increment(ref _reconnects);
    }

    /// <param name="state"><see cref="MqttConnectionState.Refused"/> or <see cref="MqttConnectionState.Unreachable"/>.</param>
    public void Disconnected(string state, string? reason)
    {
        _connected = false;
        _state = state;
        _connectedSince = null;
        if (reason is not null) _lastConnectionError = reason;
    }

    public void Received(int messages)
    {
        Interlocked.Add(ref _received, messages);
        _lastMessageAt = time.GetUtcNow();
    }

    public void Messages(string outcome, int count) => _messages.AddOrUpdate(outcome, count, (_, n) => n + count);

    public void Readings(int applied, int stale, int rejected)
    {
        Interlocked.Add(ref _readingsApplied, applied);
        Interlocked.Add(ref _readingsStale, stale);
        Interlocked.Add(ref _readingsRejected, rejected);
    }

    public void Error(string topic, string outcome, string error)
    {
        _errors.Enqueue(new MqttError(time.GetUtcNow(), topic, outcome, error));
        while (_errors.Count > KeptErrors) _errors.TryDequeue(out _);
    }

    /// <summary>What the endpoint shows while no broker is configured.</summary>
    public static readonly BridgeOff Off = new(false, "Set Mqtt:Host (and Mqtt:Port) to bridge an MQTT broker.");

    /// <summary>The bridge's state now; null while it is not configured (then <see cref="Off"/>).</summary>
    public BridgeView? Snapshot() => !Enabled
        ? null
        : new(
            Enabled: true,
            Broker: Broker!,
            Topic: Topic!,
            Username: Username, // the password never
            Connected: _connected,
            State: _state,
            ConnectedSince: _connectedSince,
            Reconnects: Interlocked.Read(ref _reconnects),
            LastConnectionError: _lastConnectionError,
            Received: Interlocked.Read(ref _received),
            Applied: Interlocked.Read(ref _readingsApplied),
            Stale: Interlocked.Read(ref _readingsStale),
            Rejected: Interlocked.Read(ref _readingsRejected),
            Malformed: _messages.Where(m => MqttOutcome.IsBad(m.Key)).Sum(m => m.Value),
            Messages: _messages.OrderBy(m => Array.IndexOf(MqttOutcome.All, m.Key)).ToDictionary(m => m.Key, m => m.Value),
            LastMessageAt: _lastMessageAt,
            LastErrors: _errors.Reverse().ToArray());

    public sealed record BridgeOff(bool Enabled, string Detail);

    /// <summary>The configured bridge. Its times and last error are written as null until they happen, so a dashboard sees every member.</summary>
    public sealed record BridgeView(
        bool Enabled,
        string Broker,
        string Topic,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Username,
        bool Connected,
        string State,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? ConnectedSince,
        long Reconnects,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastConnectionError,
        long Received,
        long Applied,
        long Stale,
        long Rejected,
        long Malformed,
        Dictionary<string, long> Messages,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastMessageAt,
        MqttError[] LastErrors);

    /// <summary>A bad message, as the status endpoint shows it (newest first).</summary>
    public sealed record MqttError(DateTimeOffset At, string Topic, string Outcome, string Error);
}
