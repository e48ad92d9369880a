namespace CityTwin.Grains;

/// <summary>Tuning of the live grains, bound from the "Twin" configuration section.</summary>
public sealed class TwinOptions
{
    public const string Section = "Twin";

    /// <summary>
    /// The service key of the twin's own clock. Orleans runs its timers on the unkeyed TimeProvider, so tests
    /// that fake the twin's clock register a fake under this key and leave Orleans' clock alone.
    /// </summary>
    public const string ClockKey = "twin";

    /// <summary>
    /// Telemetry is coalesced in memory and written behind within this window (configuration and status
    /// changes are always written before they are acknowledged). A crash loses at most this much telemetry.
    /// </summary>
    public TimeSpan TelemetryWriteBehind { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Districts persist their membership summary behind within this window; assets are the truth.</summary>
    public TimeSpan DistrictWriteBehind { get; set; } = TimeSpan.FromSeconds(5);
}
