using System.Diagnostics;

namespace CityTwin.LoadTests;

/// <summary>
/// CPU samples of the silo and the API while a benchmark window runs (dotnet-trace, the sampled thread-time profile), each
/// followed by dotnet-trace's own top-N report of inclusive time, written beside the trace as text.
/// </summary>
public static class Profiler
{
    public static async Task StartAsync(string directory, string name, TimeSpan window, Twin twin)
    {
        Directory.CreateDirectory(directory);
        // A second for the load to ramp up, and stop a second before the window closes.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var duration = window - TimeSpan.FromSeconds(2);
        await Task.WhenAll(CollectAsync(directory, $"{name}-silo", twin.Silo.Pid, duration), CollectAsync(directory, $"{name}-api", twin.Api.Pid, duration));
    }

    private static async Task CollectAsync(string directory, string name, int pid, TimeSpan duration)
    {
        var trace = Path.Combine(directory, $"{name}.nettrace");
        await RunAsync("collect", "-p", pid.ToString(), "--profile", "dotnet-sampled-thread-time", "--duration", duration.ToString(@"hh\:mm\:ss"), "-o", trace);
        var report = await RunAsync("report", trace, "topN", "-n", "120", "--inclusive");
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}-top.txt"), report);
        Console.WriteLine($"profile: {trace} (top methods in {name}-top.txt)");
    }

    private static async Task<string> RunAsync(params string[] args)
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        var info = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-trace", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet-trace {string.Join(' ', args)}: {await errors}");
        return await output;
    }
}
