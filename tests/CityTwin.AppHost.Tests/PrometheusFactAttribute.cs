namespace CityTwin.AppHost.Tests;

/// <summary>
/// A test that reads metrics through Prometheus. Skipped only on a developer machine without the prometheus binary
/// (and CI unset); under CI it runs, and a missing Prometheus fails it.
/// </summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public static bool IsInstalled { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, "prometheus")));

    private static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";

    public PrometheusFactAttribute()
    {
        if (!IsInstalled && !IsCi) Skip = "prometheus is not installed (apt-get install -y prometheus); under CI this test fails instead.";
    }
}
