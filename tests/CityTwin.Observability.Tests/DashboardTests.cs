using System.Text;
using System.Text.Json.Nodes;

namespace CityTwin.Observability.Tests;

/// <summary>aspire/observability/grafana/citytwin.json: parses, and every query is valid PromQL over known metrics.</summary>
public sealed class DashboardTests
{
    private static readonly JsonObject Dashboard =
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Observability, "grafana", "citytwin.json")))!.AsObject();

    /// <summary>Every query of every panel (rows nest panels when collapsed).</summary>
    private static IEnumerable<(string Panel, string Expr)> Queries()
    {
        IEnumerable<JsonObject> Panels(JsonArray? panels) => panels is null
            ? []
            : panels.Select(p => p!.AsObject()).SelectMany(p => (IEnumerable<JsonObject>)[p, .. Panels(p["panels"] as JsonArray)]);

        foreach (var panel in Panels(Dashboard["panels"]!.AsArray()))
        foreach (var target in (panel["targets"] as JsonArray ?? []).Select(t => t!.AsObject()))
            if (target["expr"] is JsonValue expr)
                yield return ((string)panel["title"]!, (string)expr!);
    }

    [Fact]
    public void The_dashboard_is_a_grafana_dashboard_with_a_prometheus_datasource_variable()
    {
        Assert.Equal("citytwin", (string?)Dashboard["uid"]);
        Assert.NotNull((int?)Dashboard["schemaVersion"]);
        var variables = Dashboard["templating"]!["list"]!.AsArray();
        Assert.Contains(variables, v => (string?)v!["type"] == "datasource" && (string?)v["query"] == "prometheus");
        var ids = Dashboard["panels"]!.AsArray().Select(p => (int)p!["id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(Queries().Count() >= 20, "the dashboard lost its queries");
    }

    [Fact]
    public void Every_query_uses_catalogued_metrics_only()
    {
        var catalogue = MetricCatalogue.Load();
        foreach (var (panel, expr) in Queries())
        {
            var names = PromQl.MetricNames(expr);
            Assert.NotEmpty(names);
            foreach (var name in names)
                Assert.True(catalogue.Find(name) is not null, $"panel '{panel}': metric {name} is not in aspire/observability/metrics.yml ({expr})");
        }
    }

    [Fact]
    public void The_dashboard_shows_every_metric_an_alert_uses()
    {
        var rules = PrometheusYaml.Load<PrometheusYaml.RuleFile>(Path.Combine(Repository.Observability, "alerts.yml"));
        var catalogue = MetricCatalogue.Load();
        var shown = Queries().SelectMany(q => PromQl.MetricNames(q.Expr)).Select(n => catalogue.Find(n)!.Name).ToHashSet();
        foreach (var alert in rules.Alerts)
        foreach (var name in PromQl.MetricNames(alert.Expr))
            Assert.True(shown.Contains(catalogue.Find(name)!.Name), $"{alert.Alert} uses {name}, which no panel shows");
    }

    /// <summary>promtool has no "parse a query" command, but it checks every rule's expression: so each query
    /// becomes a recording rule (Grafana's $__rate_interval replaced by a duration).</summary>
    [PromtoolFact]
    public async Task Every_query_is_valid_promql()
    {
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        var i = 0;
        foreach (var (_, expr) in Queries())
        {
            var promql = expr.Replace("$__rate_interval", "1m").Replace("$__interval", "1m").Replace("$__range", "1h");
            rules.Append($"      - record: dashboard:query{i++}\n        expr: '{promql.Replace("'", "''")}'\n");
        }
        var file = Path.Combine(Path.GetTempPath(), $"citytwin-dashboard-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, rules.ToString());
        try
        {
            var result = await Promtool.RunAsync(Path.GetTempPath(), null, "check", "rules", file);
            result.AssertSuccess("check rules (dashboard queries)");
            Assert.Contains($"SUCCESS: {i} rules found", result.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
