using System.Text.RegularExpressions;

namespace CityTwin.Observability.Tests;

/// <summary>aspire/observability/alerts.yml: valid, unit-tested, documented, and using known metrics only.</summary>
public sealed partial class AlertRuleTests
{
    private static readonly PrometheusYaml.RuleFile Rules = PrometheusYaml.Load<PrometheusYaml.RuleFile>(Path.Combine(Repository.Observability, "alerts.yml"));

    // What the issue asks to be paged for; each must exist (more may).
    public static readonly TheoryData<string> RequiredAlerts =
    [
        "CityTwinSiloDown", "CityTwinMembershipFlapping", "CityTwinDistrictOfflineRatioHigh", "CityTwinCascadeLatencyHigh",
        "CityTwinStreamLagHigh", "CityTwinApiErrorRatioHigh", "CityTwinScenarioQueueSaturated",
    ];

    [PromtoolFact]
    public async Task Promtool_check_rules_accepts_the_alert_rules()
    {
        var result = await Promtool.RunAsync(Repository.Observability, null, "check", "rules", "alerts.yml");
        result.AssertSuccess("check rules");
        Assert.Contains($"SUCCESS: {Rules.Groups.Sum(g => g.Rules.Count)} rules found", result.Output);
    }

    [PromtoolFact]
    public async Task Promtool_test_rules_passes_every_unit_case() =>
        (await Promtool.RunAsync(Repository.Observability, null, "test", "rules", "alerts.test.yml")).AssertSuccess("test rules");

    [PromtoolFact]
    public async Task Promtool_check_config_accepts_the_scrape_config()
    {
        var result = await Promtool.RunAsync(Repository.Observability, null, "check", "config", "prometheus.yml");
        result.AssertSuccess("check config");
    }

    [Theory]
    [MemberData(nameof(RequiredAlerts))]
    public void Every_required_alert_exists(string alert) =>
        Assert.Contains(alert, Rules.Alerts.Select(a => a.Alert));

    [Fact]
    public void Every_alert_has_a_severity_a_summary_and_a_runbook_section()
    {
        var runbook = File.ReadAllText(Repository.File("docs", "runbook.md"));
        var anchors = Headings().Matches(runbook).Select(m => m.Groups[1].Value.Trim().ToLowerInvariant()).ToHashSet();
        foreach (var alert in Rules.Alerts)
        {
            Assert.True(alert.Labels.GetValueOrDefault("severity") is "critical" or "warning", $"{alert.Alert}: severity must be critical or warning");
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")), $"{alert.Alert}: no summary");
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("runbook")), $"{alert.Alert}: no runbook line");
            var url = alert.Annotations.GetValueOrDefault("runbook_url") ?? "";
            Assert.Equal($"docs/runbook.md#{alert.Alert!.ToLowerInvariant()}", url);
            Assert.Contains(alert.Alert!.ToLowerInvariant(), anchors);
        }
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_quiet_unit_case()
    {
        var tests = PrometheusYaml.Load<PrometheusYaml.TestFile>(Path.Combine(Repository.Observability, "alerts.test.yml"));
        Assert.Equal(["alerts.yml"], tests.RuleFiles);
        var cases = tests.Tests.SelectMany(t => t.AlertRuleTest).ToList();
        foreach (var alert in Rules.Alerts.Select(a => a.Alert!))
        {
            Assert.True(cases.Any(c => c.Alertname == alert && c.ExpAlerts.Count > 0), $"{alert}: no case where it fires");
            Assert.True(cases.Any(c => c.Alertname == alert && c.ExpAlerts.Count == 0), $"{alert}: no case where it stays quiet");
        }
    }

    [Fact]
    public void Alert_expressions_use_catalogued_metrics_only()
    {
        var catalogue = MetricCatalogue.Load();
        foreach (var rule in Rules.Groups.SelectMany(g => g.Rules))
        foreach (var name in PromQl.MetricNames(rule.Expr))
            Assert.True(catalogue.Find(name) is not null, $"{rule.Alert ?? rule.Record}: metric {name} is not in aspire/observability/metrics.yml");
    }

    [Fact]
    public void The_catalogue_never_labels_by_asset()
    {
        foreach (var metric in MetricCatalogue.Load().Metrics)
        {
            Assert.DoesNotContain(metric.Labels, l => l.Contains("asset", StringComparison.OrdinalIgnoreCase) || l is "id" or "asset_id");
            Assert.Contains(metric.Type, (string[])["gauge", "counter", "histogram"]);
            if (metric.Type == "counter") Assert.EndsWith("_total", metric.Name);
        }
    }

    // "## CityTwinSiloDown" → anchor "citytwinsilodown" (GitHub lower-cases heading text into the anchor).
    [GeneratedRegex(@"^##\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Headings();
}
