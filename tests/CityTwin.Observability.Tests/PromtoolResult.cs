namespace CityTwin.Observability.Tests;

public sealed record PromtoolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public void AssertSuccess(string what) =>
        Assert.True(ExitCode == 0, $"promtool {what} failed (exit {ExitCode}):\n{Output}");
}
