using System.Globalization;

namespace CityTwin.LoadTests;

/// <summary>What the benchmarks read from a process's /metrics (Prometheus text exposition).</summary>
public static class PrometheusText
{
    /// <summary>
    /// A metric's value summed over all its series, or over those that carry <paramref name="label"/> (as
    /// <c>name="value"</c>); 0 when the process has none.
    /// </summary>
    public static long Sum(string metrics, string name, string? label = null) => (long)Value(metrics, name, label);

    /// <summary>As <see cref="Sum"/>, unrounded: a gauge in seconds.</summary>
    public static double Value(string metrics, string name, string? label = null) => metrics.Split('\n')
        .Where(l => (l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                    && (label is null || l.Contains(label, StringComparison.Ordinal)))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>The number of samples (series) exported.</summary>
    public static int Series(string metrics) => metrics.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
}
