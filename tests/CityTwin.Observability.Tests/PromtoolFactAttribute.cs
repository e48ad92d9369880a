namespace CityTwin.Observability.Tests;

/// <summary>
/// A test that needs promtool. Skipped only on a developer machine without it (and CI unset); under CI it runs,
/// and a missing promtool fails it.
/// </summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (Promtool.Path is null && !Promtool.IsCi)
            Skip = "promtool is not installed (apt-get install -y prometheus); under CI this test fails instead.";
    }
}
