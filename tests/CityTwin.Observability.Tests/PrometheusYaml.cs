using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CityTwin.Observability.Tests;

/// <summary>The parts of Prometheus' rule files, promtool test files and our metric catalogue that the tests read.</summary>
public static class PrometheusYaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public static T Load<T>(string path) => Deserializer.Deserialize<T>(File.ReadAllText(path));

    public sealed class RuleFile
    {
        public List<RuleGroup> Groups { get; set; } = [];
        public IEnumerable<Rule> Alerts => Groups.SelectMany(g => g.Rules).Where(r => r.Alert is not null);
    }

    public sealed class RuleGroup
    {
        public string Name { get; set; } = "";
        public List<Rule> Rules { get; set; } = [];
    }

    public sealed class Rule
    {
        public string? Alert { get; set; }
        public string? Record { get; set; }
        public string Expr { get; set; } = "";
        public string? For { get; set; }
        public Dictionary<string, string> Labels { get; set; } = [];
        public Dictionary<string, string> Annotations { get; set; } = [];
    }

    public sealed class TestFile
    {
        public List<string> RuleFiles { get; set; } = [];
        public List<TestGroup> Tests { get; set; } = [];
    }

    public sealed class TestGroup
    {
        public string Name { get; set; } = "";
        public List<AlertTest> AlertRuleTest { get; set; } = [];
    }

    public sealed class AlertTest
    {
        public string EvalTime { get; set; } = "";
        public string Alertname { get; set; } = "";
        public List<Dictionary<string, object>> ExpAlerts { get; set; } = [];
    }

    public sealed class Catalogue
    {
        public List<CatalogueMetric> Metrics { get; set; } = [];
    }

    public sealed class CatalogueMetric
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "";
        public string Source { get; set; } = "";
        public List<string> Labels { get; set; } = [];
        public string Help { get; set; } = "";
    }
}
