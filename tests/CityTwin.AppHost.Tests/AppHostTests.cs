using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;

namespace CityTwin.AppHost.Tests;

/// <summary>The AppHost as an SRE runs it: every process healthy, one cluster, and its metrics in Prometheus.</summary>
[Collection(TwinAppCollection.Name)]
public sealed class AppHostTests(TwinAppFixture twin)
{
    [Fact]
    public void The_apphost_runs_two_silos_the_api_and_prometheus()
    {
        // Healthy already: the fixture waited for every resource's health checks.
        var expected = TwinAppFixture.SiloNames.Append("api").Concat(PrometheusFactAttribute.IsInstalled ? ["prometheus"] : []);
        Assert.Equal(expected.Order(), twin.ResourceNames().Order());
    }

    [Fact]
    public async Task The_seeded_twin_answers_queries_through_the_api()
    {
        var intersection = await twin.Api.GetFromJsonAsync<JsonObject>("/api/assets/int-0001", twin.Timeout);
        Assert.Equal("intersection", (string?)intersection!["type"]);
        Assert.True(File.Exists(Path.Combine(twin.DataDirectory, "citytwin.db")));
    }

    [Fact]
    public async Task Every_silo_serves_metrics_and_the_orleans_dashboard()
    {
        foreach (var silo in TwinAppFixture.SiloNames)
        {
            using var http = twin.App.CreateHttpClient(silo);
            var metrics = await http.GetStringAsync("/metrics", twin.Timeout);
            Assert.Contains("orleans_consistent_ring_size", metrics);
            var dashboard = await http.GetAsync("/dashboard/", twin.Timeout);
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        }
    }

    [PrometheusFact]
    public async Task Prometheus_scrapes_every_silo_and_the_api()
    {
        var up = await twin.WaitForPrometheusAsync("up", r => r.Count == TwinAppFixture.Silos + 2 && r.All(s => TwinAppFixture.Value(s) == 1));
        Assert.Equal(
            TwinAppFixture.SiloNames.Append("api").Append("prometheus").Order(),
            up.Select(s => (string)s!["metric"]!["resource"]!).Order());
    }

    [PrometheusFact]
    public async Task The_silos_form_one_cluster_as_seen_through_prometheus()
    {
        // Each silo's own view of membership, read back through Prometheus' query API.
        await twin.WaitForPrometheusAsync("orleans_consistent_ring_size{job=\"citytwin-silo\"}",
            r => r.Count == TwinAppFixture.Silos && r.All(s => TwinAppFixture.Value(s) == TwinAppFixture.Silos));
    }

    [PrometheusFact]
    public async Task Api_requests_show_up_in_prometheus_by_route()
    {
        foreach (var id in await twin.AssetIdsAsync("d01", 20))
            (await twin.Api.GetAsync($"/api/assets/{id}", twin.Timeout)).EnsureSuccessStatusCode();
        await twin.WaitForPrometheusAsync(
            "sum(http_server_request_duration_seconds_count{job=\"citytwin-api\", http_route=\"/api/assets/{id}\", http_response_status_code=\"200\"})",
            r => r.Count == 1 && TwinAppFixture.Value(r[0]) >= 20);
    }

    [PrometheusFact]
    public async Task Prometheus_loaded_every_alert_rule_and_none_fires()
    {
        using var prometheus = twin.App.CreateHttpClient("prometheus");
        var rules = await prometheus.GetFromJsonAsync<JsonObject>("/api/v1/rules", twin.Timeout);
        var loaded = rules!["data"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).ToList();
        Assert.True(loaded.Count >= 8, $"only {loaded.Count} rules loaded");
        Assert.All(loaded, r => Assert.NotEqual("err", (string?)r!["health"]));
        var firing = await twin.QueryPrometheusAsync("ALERTS{alertstate=\"firing\"}");
        Assert.Empty(firing);
    }

    /// <summary>Every query of the Grafana dashboard runs on this Prometheus (its metric names and PromQL are real).</summary>
    [PrometheusFact]
    public async Task Every_dashboard_query_runs_on_prometheus()
    {
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "aspire", "observability", "grafana", "citytwin.json")))!;
        var queries = dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]?.AsArray() ?? [])
            .Select(t => ((string)t!["expr"]!).Replace("$__rate_interval", "1m"))
            .ToList();
        Assert.NotEmpty(queries);
        foreach (var query in queries) await twin.QueryPrometheusAsync(query); // asserts status "success"
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityTwin.sln"))) return dir.FullName;
        throw new InvalidOperationException("CityTwin.sln not found");
    }
}
