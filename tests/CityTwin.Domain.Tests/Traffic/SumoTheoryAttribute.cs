namespace CityTwin.Domain.Tests.Traffic;

/// <summary>
/// A test that runs Debian's SUMO. Skipped only on a developer machine without it (and CI unset); under CI it runs,
/// and a missing SUMO fails it.
/// </summary>
public sealed class SumoTheoryAttribute : TheoryAttribute
{
    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";

    public static bool Installed => File.Exists("/usr/bin/sumo") && File.Exists("/usr/bin/netconvert");

    public SumoTheoryAttribute()
    {
        if (!Installed && !IsCi) Skip = "SUMO is not installed (apt-get install -y sumo); under CI this test fails instead.";
    }
}
