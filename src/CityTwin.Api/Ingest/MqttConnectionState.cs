namespace CityTwin.Api.Ingest;

/// <summary>The bridge's connection, as <c>GET /api/telemetry/mqtt</c> shows it (<c>state</c>).</summary>
public static class MqttConnectionState
{
    /// <summary>Not tried yet.</summary>
    public const string Connecting = "connecting";
    public const string Connected = "connected";
    /// <summary>The broker answered and refused the bridge's credentials (bad user name or password, not authorized).</summary>
    public const string Refused = "refused";
    /// <summary>The broker was not reached, or the connection was lost.</summary>
    public const string Unreachable = "unreachable";
}
