namespace CityTwin.Observability.Tests;

public sealed class PromQlTests
{
    [Theory]
    [InlineData("up{job=\"citytwin-silo\"} == 0", "up")]
    [InlineData("histogram_quantile(0.99, sum by (le, namespace) (rate(citytwin_stream_delivery_lag_seconds_bucket[5m]))) > 5", "citytwin_stream_delivery_lag_seconds_bucket")]
    [InlineData("sum(rate(a_total{x=~\"5..\", r!~\"/metrics|/health\"}[$__rate_interval])) / on(instance) group_left(foo) b offset 5m", "a_total,b")]
    [InlineData("citytwin_scenario_queue_depth / (citytwin_scenario_queue_capacity > 0) >= 0.9", "citytwin_scenario_queue_capacity,citytwin_scenario_queue_depth")]
    [InlineData("max by (district) (citytwin_district_offline_ratio) > 0.1 and 1e3 < bool x", "citytwin_district_offline_ratio,x")]
    [InlineData("label_replace(m, \"dst\", \"$1\", \"src\", \"(.*)\") unless sum(n) without (a, b)", "m,n")]
    public void Finds_the_metric_names_of_an_expression(string expr, string expected) =>
        Assert.Equal(expected.Split(',').Order(StringComparer.Ordinal), PromQl.MetricNames(expr).Order(StringComparer.Ordinal));
}
