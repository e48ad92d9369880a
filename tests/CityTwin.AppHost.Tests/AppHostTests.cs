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

    /// <summary>The broker refuses anonymous clients, so a connected bridge is one that signed in with the generated account.</summary>
    [Fact]
    public async Task The_api_bridges_the_brokers_telemetry_signed_in_with_its_generated_account()
    {
        var mosquitto = Path.Combine(twin.DataDirectory, "mosquitto");
        if (!File.Exists(Path.Combine(mosquitto, "mosquitto.conf"))) return; // mosquitto is not installed: the AppHost left it out
        Assert.Contains("allow_anonymous false", await File.ReadAllTextAsync(Path.Combine(mosquitto, "mosquitto.conf"), twin.Timeout));
        foreach (var secret in new[] { "passwd", "acl" })
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(mosquitto, secret)));
        Assert.StartsWith("citytwin-bridge:$7$", await File.ReadAllTextAsync(Path.Combine(mosquitto, "passwd"), twin.Timeout));

        JsonObject? status = null;
        for (var attempt = 0; attempt < 60 && (bool?)status?["connected"] != true; attempt++)
        {
            if (attempt > 0) await Task.Delay(500, twin.Timeout);
            status = await twin.Api.GetFromJsonAsync<JsonObject>("/api/telemetry/mqtt", twin.Timeout);
        }
        Assert.True((bool?)status!["connected"], status.ToJsonString());
        Assert.Equal("connected", (string?)status["state"]);
        Assert.Equal("citytwin-bridge", (string?)status["username"]);
    }

    [Fact]
    public async Task The_api_refuses_a_caller_without_a_key_and_serves_the_deployments_admin()
    {
        using var anonymous = twin.App.CreateHttpClient("api");
        using var refused = await anonymous.GetAsync("/api/stats", twin.Timeout);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health", twin.Timeout)).StatusCode);
        var me = await twin.Api.GetFromJsonAsync<JsonObject>("/api/me", twin.Timeout);
        Assert.Contains("admin", me!["roles"]!.AsArray().Select(r => (string?)r));
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
    public async Task A_link_cut_through_the_api_cascades_across_the_cluster_and_its_metrics_reach_prometheus()
    {
        // A small city of its own: a link serving an intersection, the two cameras that watch it and three poles.
        static JsonObject Feature(string id, string type, JsonObject dependencies, JsonObject state) => new()
        {
            ["type"] = "Feature", ["id"] = id,
            ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(4.36, 50.86) },
            ["properties"] = new JsonObject { ["type"] = type, ["district"] = "cx", ["dependencies"] = dependencies, [type] = state },
        };
        static JsonObject Backhaul(string? watched = null) => watched is null
            ? new() { ["backhaulLinkId"] = "leo-cx-1" }
            : new() { ["backhaulLinkId"] = "leo-cx-1", ["watchedIntersectionId"] = watched };
        var features = new JsonArray(
            Feature("leo-cx-1", "link", [], []),
            Feature("int-cx-1", "intersection", Backhaul(), []),
            Feature("cam-cx-1", "camera", Backhaul("int-cx-1"), new() { ["approach"] = "north" }),
            Feature("cam-cx-2", "camera", Backhaul("int-cx-1"), new() { ["approach"] = "east" }));
        for (var i = 1; i <= 3; i++) features.Add(Feature($"pole-cx-{i}", "pole", Backhaul(), new() { ["lampOn"] = true }));
        var city = new StringContent(new JsonObject { ["type"] = "FeatureCollection", ["features"] = features }.ToJsonString(),
            System.Text.Encoding.UTF8, "application/geo+json");
        (await twin.Api.PostAsync("/api/import", city, twin.Timeout)).EnsureSuccessStatusCode();
        await Until("/api/assets/int-cx-1", j => j["intersection"]!["cameras"]!.AsArray().Count == 2);

        var cut = await twin.Api.PostAsync("/api/links/leo-cx-1/status", new StringContent("""{"condition":"down"}""", System.Text.Encoding.UTF8, "application/json"), twin.Timeout);
        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);

        // The cascade, through the API: the cameras lose their feed, the intersection falls back, the poles show it.
        await Until("/api/assets/int-cx-1", j => (string?)j["intersection"]!["activeMode"] == "fixedTime" && (string?)j["status"] == "degraded");
        foreach (var camera in new[] { "cam-cx-1", "cam-cx-2" })
            Assert.Equal("offline", (string?)(await twin.Api.GetFromJsonAsync<JsonObject>($"/api/assets/{camera}", twin.Timeout))!["status"]);
        await Until("/api/districts/cx?limit=1", j => j["counts"]!.AsArray() is var counts
            && counts.Any(c => (string?)c!["type"] == "pole" && (string?)c["status"] == "degraded" && (int)c["count"]! == 3)
            && counts.Any(c => (string?)c!["type"] == "camera" && (string?)c["status"] == "offline" && (int)c["count"]! == 2));

        // And its effect, read back through Prometheus: the assets by status, the cascade's latency, the alarm it raised.
        await twin.WaitForPrometheusAsync("sum(citytwin_assets{type=\"camera\",status=\"offline\"})", r => r.Count == 1 && TwinAppFixture.Value(r[0]) >= 2);
        await twin.WaitForPrometheusAsync("sum(citytwin_cascade_latency_seconds_count)", r => r.Count == 1 && TwinAppFixture.Value(r[0]) >= 1);
        await twin.WaitForPrometheusAsync("sum(citytwin_alarms_active{severity=\"critical\"})", r => r.Count == 1 && TwinAppFixture.Value(r[0]) >= 1);

        (await twin.Api.PostAsync("/api/links/leo-cx-1/status", new StringContent("""{"condition":"up"}""", System.Text.Encoding.UTF8, "application/json"), twin.Timeout)).EnsureSuccessStatusCode();
        await Until("/api/assets/int-cx-1", j => (string?)j["intersection"]!["activeMode"] == "adaptive");
    }

    /// <summary>Polls an API resource until <paramref name="done"/>; fails naming the resource and its last answer after a minute.</summary>
    private async Task<JsonObject> Until(string url, Func<JsonObject, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var json = (await twin.Api.GetFromJsonAsync<JsonObject>(url, twin.Timeout))!;
            if (done(json)) return json;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{url} did not reach the expected state within a minute; last: {json.ToJsonString()}");
            await Task.Delay(50, twin.Timeout);
        }
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
