using System.Text.RegularExpressions;

namespace CityTwin.Observability.Tests;

/// <summary>The /metrics of a real silo and a real API: valid exposition, the catalogued metrics, bounded series.</summary>
[Collection(nameof(ScrapeFixture))]
public sealed partial class ScrapeTests(ScrapeFixture scrapes) : IClassFixture<ScrapeFixture>
{
    /// <summary>
    /// promtool lint findings on metrics the project does not name, and why they are accepted. Everything else —
    /// any finding on a citytwin_ or http_ metric, or a parse error — fails.
    /// </summary>
    private static readonly (Regex Metric, string Problem, string Why)[] AcceptedLint =
    [
        (new("^orleans_"), "no help text", "Orleans' instruments carry no description"),
        (new("^orleans_"), "use base unit \"seconds\" instead of \"milliseconds\"", "Orleans records its latencies in ms"),
        (new("^orleans_"), "use base unit \"bytes\" instead of \"megabytes\"", "Orleans reports memory in MB"),
        (new("^orleans_"), "label names should be written in 'snake_case' not 'camelCase'", "Orleans' tag names (Direction, Context)"),
        (new("^dotnet_.*_count$"), "non-histogram and non-summary metrics should not have \"_count\" suffix",
            ".NET's runtime metrics are named by the OpenTelemetry semantic conventions (dotnet.assembly.count)"),
    ];

    [PromtoolFact]
    public Task Silo_scrape_passes_promtool_check_metrics() => CheckMetricsAsync(scrapes.SiloAfter);

    [PromtoolFact]
    public Task Api_scrape_passes_promtool_check_metrics() => CheckMetricsAsync(scrapes.ApiAfter);

    [Fact]
    public void Every_runtime_metric_in_the_catalogue_is_really_exported()
    {
        foreach (var metric in MetricCatalogue.Load().Metrics)
        {
            var scrape = metric.Source switch
            {
                "orleans" => scrapes.SiloAfter,
                "aspnetcore" or "runtime" => scrapes.ApiAfter,
                _ => null, // the twin's meters (checked below when present) and Prometheus' own `up`
            };
            if (scrape is null) continue;
            Assert.True(scrape.HasFamily(metric.Name), $"{metric.Name} ({metric.Source}) is not in the scrape: renamed upstream?");
            Assert.Equal(metric.Type, scrape.Types[metric.Name]);
        }
    }

    [Fact]
    public void The_api_reports_request_duration_by_route_template_and_status_code()
    {
        var requests = scrapes.ApiAfter.Samples.Where(s => s.Name == "http_server_request_duration_seconds_count").ToList();
        Assert.Contains(requests, s => s.Labels.GetValueOrDefault("http_route") == "/api/assets/{id}"
                                        && s.Labels.GetValueOrDefault("http_response_status_code") == "200");
        Assert.Contains(requests, s => s.Labels.GetValueOrDefault("http_response_status_code") == "404");
    }

    [Fact]
    public void The_api_reports_how_long_an_asset_read_waits_before_it_is_copied()
    {
        // A healthy cluster copies hardly any read, so the copies counter may not be there yet; the delay is, once read.
        var delay = scrapes.ApiAfter.Samples.Where(s => s.Name == "citytwin_read_hedge_delay_seconds").ToList();
        Assert.Contains(delay, s => s.Labels.GetValueOrDefault("kind") == "Asset");
        Assert.Equal("gauge", scrapes.ApiAfter.Types["citytwin_read_hedge_delay_seconds"]);
    }

    [Fact]
    public void Twin_metrics_that_are_exported_are_catalogued_with_their_type_and_labels()
    {
        var catalogue = MetricCatalogue.Load();
        foreach (var (name, type) in scrapes.SiloAfter.Types.Concat(scrapes.ApiAfter.Types).Where(t => t.Key.StartsWith("citytwin_", StringComparison.Ordinal)))
        {
            var entry = catalogue.Find(name);
            Assert.True(entry is not null && entry.Name == name, $"{name} is exported but not in aspire/observability/metrics.yml");
            Assert.Equal(entry.Type, type);
            var labels = scrapes.SiloAfter.Samples.Concat(scrapes.ApiAfter.Samples)
                .Where(s => catalogue.Find(s.Name) == entry)
                .SelectMany(s => s.Labels.Keys)
                .Where(k => k is not "le" && !k.StartsWith("otel_scope_", StringComparison.Ordinal))
                .Distinct();
            Assert.All(labels, l => Assert.Contains(l, entry.Labels));
        }
    }

    [Fact]
    public void No_label_value_is_an_asset_id()
    {
        var ids = scrapes.Assets.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var sample in scrapes.SiloAfter.Samples.Concat(scrapes.ApiAfter.Samples))
        foreach (var (label, value) in sample.Labels)
            Assert.False(ids.Contains(value), $"{sample.Name} has {label}=\"{value}\": an asset id as a label value");
    }

    [Fact]
    public void The_series_count_does_not_grow_with_the_number_of_assets()
    {
        // 1,000 more assets imported, read and some changed between the two scrapes, with the same kinds of requests.
        // Series appear for new combinations of bounded labels (a type or status seen for the first time) and for
        // instruments first used between the scrapes (a histogram's buckets for a storage write, a message direction or
        // an HTTP client destination: 108 series once on CI, none per asset), never one per asset: a label per asset
        // would add 1,000 to one family. So no family may grow by a tenth of that, and all of them together by half.
        var growth = scrapes.SiloAfter.Samples.Count - scrapes.SiloBefore.Samples.Count;
        var grown = scrapes.SiloAfter.Samples.GroupBy(s => s.Name)
            .Select(g => (Name: g.Key, Added: g.Count() - scrapes.SiloBefore.Samples.Count(s => s.Name == g.Key)))
            .Where(g => g.Added > 0)
            .ToList();
        var why = $"the silo's scrape grew by {growth} series ({scrapes.SiloBefore.Samples.Count} → {scrapes.SiloAfter.Samples.Count}) " +
                  $"for 1,000 more assets: {string.Join(", ", grown.Select(g => $"{g.Name} +{g.Added}"))}";
        Assert.True(grown.All(g => g.Added < 100), why);
        Assert.True(growth < 500, why);
    }

    private static async Task CheckMetricsAsync(Exposition scrape)
    {
        var result = await Promtool.RunAsync(Path.GetTempPath(), scrape.Text, "check", "metrics");
        var findings = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unaccepted = findings.Where(line => !AcceptedLint.Any(a => Finding(line, a.Metric, a.Problem))).ToList();
        Assert.True(unaccepted.Count == 0, $"promtool check metrics (exit {result.ExitCode}):\n{string.Join('\n', unaccepted)}");
        // Exit 0: clean; 3: lint findings only (all accepted above). Anything else is a parse error.
        Assert.Contains(result.ExitCode, (int[])[0, 3]);
    }

    private static bool Finding(string line, Regex metric, string problem)
    {
        var space = line.IndexOf(' ');
        return space > 0 && metric.IsMatch(line[..space]) && line[(space + 1)..] == problem;
    }
}
