namespace CityTwin.Observability.Tests;

/// <summary>aspire/observability/metrics.yml: the metric names rules and dashboards may use.</summary>
public sealed class MetricCatalogue
{
    public static MetricCatalogue Load() =>
        new(PrometheusYaml.Load<PrometheusYaml.Catalogue>(Path.Combine(Repository.Observability, "metrics.yml")).Metrics);

    private MetricCatalogue(List<PrometheusYaml.CatalogueMetric> metrics)
    {
        Metrics = metrics;
        _byName = metrics.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, PrometheusYaml.CatalogueMetric> _byName;

    public IReadOnlyList<PrometheusYaml.CatalogueMetric> Metrics { get; }

    /// <summary>The catalogue entry a selected series name belongs to (a histogram's _bucket/_sum/_count included).</summary>
    public PrometheusYaml.CatalogueMetric? Find(string seriesName)
    {
        if (_byName.TryGetValue(seriesName, out var metric)) return metric;
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
            if (seriesName.EndsWith(suffix, StringComparison.Ordinal)
                && _byName.TryGetValue(seriesName[..^suffix.Length], out var histogram) && histogram.Type == "histogram")
                return histogram;
        return null;
    }
}
