using System.Text.RegularExpressions;

namespace CityTwin.Observability.Tests;

/// <summary>A Prometheus text exposition (a /metrics body), read just enough to count series and inspect labels.</summary>
public sealed partial class Exposition(string text)
{
    public string Text { get; } = text;

    /// <summary>Metric family name → type, from the # TYPE lines.</summary>
    public IReadOnlyDictionary<string, string> Types { get; } = TypeLines().Matches(text)
        .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

    /// <summary>Every sample: series name and its labels.</summary>
    public IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Labels)> Samples { get; } = text
        .Split('\n')
        .Where(line => line.Length > 0 && line[0] != '#')
        .Select(Parse)
        .ToList();

    public bool HasFamily(string name) => Types.ContainsKey(name);

    private static (string, IReadOnlyDictionary<string, string>) Parse(string line)
    {
        var m = Sample().Match(line);
        Assert.True(m.Success, $"not a sample line: {line}");
        var labels = LabelPairs().Matches(m.Groups[2].Value)
            .ToDictionary(l => l.Groups[1].Value, l => Regex.Unescape(l.Groups[2].Value), StringComparer.Ordinal);
        return (m.Groups[1].Value, labels);
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)", RegexOptions.Multiline)]
    private static partial Regex TypeLines();

    [GeneratedRegex(@"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s")]
    private static partial Regex Sample();

    [GeneratedRegex("([a-zA-Z_]\\w*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPairs();
}
