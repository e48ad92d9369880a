namespace CityTwin.Observability.Tests;

/// <summary>The README's SRE section names every alert and every catalogued metric, so it cannot fall behind.</summary>
public sealed class DocumentationTests
{
    private static readonly string Readme = File.ReadAllText(Repository.File("README.md"));

    [Fact]
    public void The_readme_lists_every_alert()
    {
        var rules = PrometheusYaml.Load<PrometheusYaml.RuleFile>(Path.Combine(Repository.Observability, "alerts.yml"));
        foreach (var alert in rules.Alerts) Assert.Contains($"`{alert.Alert}`", Readme);
    }

    [Fact]
    public void The_readme_explains_every_catalogued_metric()
    {
        foreach (var metric in MetricCatalogue.Load().Metrics)
            Assert.True(Readme.Contains($"`{metric.Name}`"), $"README.md does not mention {metric.Name}");
    }
}
