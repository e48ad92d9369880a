namespace CityTwin.Api.Ingest;

/// <summary>What the bridge made of one MQTT message (the <c>outcome</c> label of <c>citytwin_mqtt_messages_total</c>).</summary>
public static class MqttOutcome
{
    public const string Applied = "applied";
    /// <summary>Every reading in it was older than what its asset already had.</summary>
    public const string Stale = "stale";
    /// <summary>The topic is not city/{district}/{type}/{id}/telemetry, or the payload is not readings.</summary>
    public const string Malformed = "malformed";
    /// <summary>A reading the asset refused (a field not of its type, out of range, too far in the future).</summary>
    public const string Invalid = "invalid";
    public const string UnknownAsset = "unknown_asset";
    /// <summary>The topic's type is not the asset's.</summary>
    public const string WrongType = "wrong_type";
    /// <summary>The topic's district is not the asset's (a device may publish only under its own district's topics).</summary>
    public const string WrongDistrict = "wrong_district";
    /// <summary>The cluster could not be reached.</summary>
    public const string Unavailable = "unavailable";

    public static readonly string[] All = [Applied, Stale, Malformed, Invalid, UnknownAsset, WrongType, WrongDistrict, Unavailable];

    public static bool IsBad(string outcome) => outcome is not (Applied or Stale);
}
