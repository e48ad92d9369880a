using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

/// <summary>
/// Prometheus — the machine's binary as an executable resource — scraping every silo, the API and itself, with the
/// repository's alert rules. aspire/observability/prometheus.yml and alerts.yml are copied into
/// &lt;data&gt;/prometheus/config at every start, and the target lists beside them are written from the endpoints
/// Aspire actually allocated, just before Prometheus starts; the TSDB lives in &lt;data&gt;/prometheus/tsdb.
/// </summary>
internal static class LocalPrometheus
{
    public static IResourceBuilder<ExecutableResource> AddLocalPrometheus(
        this IDistributedApplicationBuilder builder, string binary, TwinSettings settings,
        IReadOnlyList<IResourceBuilder<ProjectResource>> silos, IResourceBuilder<ProjectResource> api)
    {
        var source = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "observability"));
        var root = Path.Combine(settings.DataDirectory, "prometheus");
        var config = Path.Combine(root, "config");
        var port = FreePort.Pick(settings.PrometheusPort);

        var prometheus = builder.AddExecutable("prometheus", binary, config,
                "--config.file=prometheus.yml",
                $"--storage.tsdb.path={Path.Combine(root, "tsdb")}",
                "--storage.tsdb.retention.time=15d",
                $"--web.listen-address=127.0.0.1:{port}",
                "--web.enable-lifecycle")
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/-/ready")
            .WithUrlForEndpoint("http", u => u.DisplayText = "Prometheus (alerts at /alerts)");

        // Endpoints are allocated by now, so the lists name the ports the processes really listen on.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus.Resource, (_, _) =>
        {
            Directory.CreateDirectory(Path.Combine(config, "targets"));
            foreach (var file in (string[])["prometheus.yml", "alerts.yml"])
                File.Copy(Path.Combine(source, file), Path.Combine(config, file), overwrite: true);
            WriteTargets(Path.Combine(config, "targets", "silos.json"), silos.Select(s => (s.Resource.Name, s.GetEndpoint("http"))));
            WriteTargets(Path.Combine(config, "targets", "api.json"), [(api.Resource.Name, api.GetEndpoint("http"))]);
            WriteTargets(Path.Combine(config, "targets", "prometheus.json"), [(prometheus.Resource.Name, prometheus.GetEndpoint("http"))]);
            return Task.CompletedTask;
        });
        return prometheus;
    }

    /// <summary>A Prometheus file_sd list: one target per resource, labelled with the resource's name.</summary>
    private static void WriteTargets(string path, IEnumerable<(string Resource, EndpointReference Endpoint)> targets)
    {
        var groups = targets.Select(t => new
        {
            targets = new[] { $"{t.Endpoint.Host}:{t.Endpoint.Port}" },
            labels = new Dictionary<string, string> { ["resource"] = t.Resource },
        });
        // Written aside and moved into place: Prometheus re-reads the file when it changes and must never see half of it.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(groups, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, path, overwrite: true);
    }
}
