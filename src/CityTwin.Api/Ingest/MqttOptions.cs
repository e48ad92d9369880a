namespace CityTwin.Api.Ingest;

/// <summary>The MQTT bridge (section <c>Mqtt</c>); it runs only when <see cref="Host"/> is set.</summary>
public sealed record MqttOptions
{
    public string? Host { get; init; }
    public int Port { get; init; } = 1883;

    /// <summary>The bridge's account on the broker (the AppHost's mosquitto refuses anonymous clients); none: anonymous.</summary>
    public string? Username { get; init; }

    /// <summary>A secret: from user-secrets or the environment (<c>Mqtt__Password</c>), never logged nor shown by the status endpoint.</summary>
    public string? Password { get; init; }

    /// <summary>Fixed, so the broker keeps this bridge's session (subscription and QoS 1 messages) while it is away.</summary>
    public string ClientId { get; init; } = "citytwin-api";

    /// <summary><c>city/{district}/{type}/{id}/telemetry</c>.</summary>
    public string TopicFilter { get; init; } = "city/+/+/+/telemetry";

    /// <summary>How long the broker keeps the session after a disconnect.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Messages the broker may send before this bridge acknowledges them (they are acknowledged once applied).</summary>
    public int ReceiveMaximum { get; init; } = 20_000;

    /// <summary>Messages that arrived together and are applied as one batch.</summary>
    public int MaxBatchMessages { get; init; } = 5_000;

    /// <summary>
    /// How long the first message of a batch waits for the ones arriving with it (when fewer than
    /// <see cref="MaxBatchMessages"/> are waiting): a batch goes to each of its districts in one call, and messages
    /// applied as they came cost a call each. Adds at most this to a reading's delay; zero turns it off.
    /// </summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Batches applied at once (each is acknowledged after it is applied, in the order the messages came).</summary>
    public int MaxBatchesInFlight { get; init; } = 4;

    /// <summary>Readings one message may hold (a JSON array for its asset).</summary>
    public int MaxReadingsPerMessage { get; init; } = 1_000;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most one warning log about bad messages per this interval (the rest are counted, and shown by the status endpoint).</summary>
    public TimeSpan WarningInterval { get; init; } = TimeSpan.FromSeconds(10);
}
