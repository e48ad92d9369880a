using CityTwin.LoadTests;

namespace CityTwin.EndToEnd;

/// <summary>
/// A test that needs a real mosquitto. Skipped only on a developer machine without it (and CI unset); under CI it
/// runs, and a missing mosquitto fails it.
/// </summary>
public sealed class MqttFactAttribute : FactAttribute
{
    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";

    public MqttFactAttribute()
    {
        if (Mosquitto.Binary is null && !IsCi) Skip = "mosquitto is not installed (apt-get install -y mosquitto); under CI this test fails instead.";
    }
}
