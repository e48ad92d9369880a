using System.Diagnostics;

namespace CityTwin.Observability.Tests;

/// <summary>
/// Runs Prometheus' <c>promtool</c> (Debian package <c>prometheus</c>; or the binary named by PROMTOOL). On a
/// developer machine without it the promtool tests are skipped; under CI they run, and a missing promtool fails them.
/// </summary>
public static class Promtool
{
    public static string? Path { get; } = Find();

    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";

    public static async Task<PromtoolResult> RunAsync(string workingDirectory, string? stdin, params string[] args)
    {
        Assert.True(Path is not null, "promtool not found on PATH (install it: apt-get install -y prometheus, or set PROMTOOL)");
        var start = new ProcessStartInfo(Path!)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new PromtoolResult(process.ExitCode, await stdout, await stderr);
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("PROMTOOL") is { Length: > 0 } explicitPath)
            return File.Exists(explicitPath) ? explicitPath : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "promtool"))
            .FirstOrDefault(File.Exists);
    }
}
