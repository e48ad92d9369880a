using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;

namespace CityTwin.Domain.Tests.Traffic;

/// <summary>Runs Debian's <c>netconvert</c> and <c>sumo</c> (package <c>sumo</c>, 1.15) on a <see cref="Domain.Traffic.SumoExport"/> and reads SUMO's statistics.</summary>
public static class Sumo
{
    /// <summary>SUMO's trip statistics: vehicles loaded, inserted and still running, teleports, and per completed trip the time lost and the wait to enter.</summary>
    public sealed record Statistics(int Loaded, int Inserted, int Running, int Teleports, int Trips, double TimeLossSeconds, double DepartDelaySeconds, double WallSeconds)
    {
        /// <summary>What the twin counts as time lost: queued anywhere, the wait at the origin included.</summary>
        public double TwinComparableTimeLossSeconds => TimeLossSeconds + DepartDelaySeconds;
    }

    public static async Task<Statistics> RunAsync(string directory, CancellationToken cancellationToken = default)
    {
        await ToolAsync("netconvert", directory, cancellationToken);
        var watch = Stopwatch.StartNew();
        await ToolAsync("sumo", directory, cancellationToken);
        var wall = watch.Elapsed.TotalSeconds;
        var stats = XDocument.Load(Path.Combine(directory, "citytwin.stats.xml")).Root!;
        int I(string element, string attribute) => int.Parse(stats.Element(element)!.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);
        double D(string attribute) => double.Parse(stats.Element("vehicleTripStatistics")!.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);
        return new Statistics(I("vehicles", "loaded"), I("vehicles", "inserted"), I("vehicles", "running"), I("teleports", "total"),
            I("vehicleTripStatistics", "count"), D("timeLoss"), D("departDelay"), wall);
    }

    /// <summary>
    /// Time lost per vehicle on the edges into the given junctions over the whole run (SUMO's edge data: Σ timeLoss ÷ Σ
    /// vehicles that left them), the counterpart of the twin's delay at those junctions.
    /// </summary>
    public static double DelayInto(string directory, IReadOnlySet<string> junctions)
    {
        double lost = 0, left = 0;
        foreach (var edge in XDocument.Load(Path.Combine(directory, "citytwin.edges.xml")).Descendants("edge"))
        {
            var id = edge.Attribute("id")!.Value;
            if (!junctions.Contains(id[(id.LastIndexOf('_') + 1)..])) continue;
            lost += double.Parse(edge.Attribute("timeLoss")?.Value ?? "0", CultureInfo.InvariantCulture);
            left += double.Parse(edge.Attribute("left")?.Value ?? "0", CultureInfo.InvariantCulture);
        }
        return left > 0 ? lost / left : 0;
    }

    private static async Task ToolAsync(string tool, string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool, ["-c", tool == "sumo" ? "citytwin.sumocfg" : "citytwin.netccfg"])
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["SUMO_HOME"] = "/usr/share/sumo" },
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{tool}' is not installed: apt-get install -y sumo (.ci/run does). {e.Message}", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
