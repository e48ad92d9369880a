using System.Text.RegularExpressions;

namespace CityTwin.Observability.Tests;

/// <summary>
/// The metric names a PromQL expression selects. Not a parser (promtool checks the syntax): it removes what cannot
/// be a metric name — strings, label matchers, ranges, grouping clauses, Grafana variables, function calls,
/// keywords, numbers — and returns the identifiers left.
/// </summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
        "atan2", "inf", "nan", "Inf", "NaN", "start", "end",
    };

    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var text = Strings().Replace(expr, " ");
        text = GrafanaVariables().Replace(text, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifiers().Matches(text))
        {
            if (Keywords.Contains(m.Value)) continue;
            var rest = text.AsSpan(m.Index + m.Length).TrimStart();
            if (rest.Length > 0 && rest[0] == '(') continue; // a function or an aggregation
            names.Add(m.Value);
        }
        return names;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\$\{[^}]*\}|\$\w+")]
    private static partial Regex GrafanaVariables();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w:.])[a-zA-Z_:][\w:]*")]
    private static partial Regex Identifiers();
}
