using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityTwin.AppHost.Tests;

/// <summary>
/// The whole AppHost, booted once for the collection the way an SRE runs it — two silos on SQLite, the API,
/// Prometheus — on a temporary data folder and Orleans ports nobody else uses. Tests drive the API and read
/// Prometheus through the helpers below; new end-to-end scenarios (a cascade, a failover) belong here too.
/// </summary>
public class TwinAppFixture : IAsyncLifetime
{
    public const int Silos = 2;
    public const int SeedAssets = 1_000;

    // A hang guard, not a speed bound: every wait below has its own deadline. Start-up gets ten minutes (CI's two cores
    // also run the other test assemblies meanwhile), and the collection's tests five more from when it is up, so one
    // slow test fails on its own deadline instead of cancelling every test after it.
    private static readonly TimeSpan StartUpBudget = TimeSpan.FromMinutes(10), TestsBudget = TimeSpan.FromMinutes(5);
    private readonly CancellationTokenSource _lifetime = new();

    public DistributedApplication App { get; private set; } = null!;
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("citytwin-apphost-").FullName;
    /// <summary>The API as the deployment's admin: the key is given to the AppHost as a deployment gives it (CityTwin:AdminKey).</summary>
    public HttpClient Api { get; private set; } = null!;
    public string AdminKey { get; } = CityTwin.Domain.Access.ApiKeyToken.New().Key;
    public bool HasPrometheus { get; private set; }
    public CancellationToken Timeout => _lifetime.Token;

    public static IEnumerable<string> SiloNames => Enumerable.Range(1, Silos).Select(k => $"silo-{k}");

    /// <summary>How many silos this AppHost runs, and what else it is told (the PostgreSQL cluster's fixture differs here).</summary>
    protected virtual int SiloCount => Silos;
    protected virtual string[] ExtraArguments => [];

    public async Task InitializeAsync()
    {
        _lifetime.CancelAfter(StartUpBudget);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CityTwin_AppHost>(
        [
            $"--CityTwin:DataDirectory={DataDirectory}", $"--CityTwin:SeedAssets={SeedAssets}", $"--CityTwin:Silos={SiloCount}",
            $"--CityTwin:SiloPort={FreePortRange(SiloCount)}", $"--CityTwin:GatewayPort={FreePortRange(SiloCount)}",
            $"--CityTwin:AdminKey={AdminKey}", .. ExtraArguments,
        ], Timeout);
        App = await builder.BuildAsync(Timeout);
        // Aspire keeps waiting for a process that ended (an operator may restart it from the dashboard): a silo that
        // cannot start would hold the start for the whole budget. So the start also ends when a long-running process
        // ends, and the failure says which one and what it printed.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        var watch = FirstEndedAsync(ended.Token);
        var up = BootAsync();
        if (await Task.WhenAny(up, watch) == watch && await watch is { } gone)
        {
            throw new InvalidOperationException($"The AppHost did not come up: {gone} ended.\n{await DescribeResourcesAsync()}");
        }
        ended.Cancel();
        try
        {
            await up;
        }
        catch (Exception e) when (e is OperationCanceledException or DistributedApplicationException or TimeoutException)
        {
            throw new InvalidOperationException($"The AppHost did not come up ({e.GetType().Name}: {e.Message}).\n{await DescribeResourcesAsync()}", e);
        }
        _lifetime.CancelAfter(TestsBudget);
    }

    private async Task BootAsync()
    {
        await App.StartAsync(Timeout);
        HasPrometheus = ResourceNames().Contains("prometheus");
        foreach (var name in ResourceNames()) await App.ResourceNotifications.WaitForResourceHealthyAsync(name, Timeout);
        Api = App.CreateHttpClient("api");
        Api.Timeout = TimeSpan.FromMinutes(1);
        Api.DefaultRequestHeaders.Authorization = new("ApiKey", AdminKey);
        await WaitForSeededCityAsync();
    }

    /// <summary>The first long-running resource (one with a health check) to reach a terminal state; null if none does.</summary>
    private async Task<string?> FirstEndedAsync(CancellationToken cancellationToken)
    {
        var longRunning = ResourceNames().ToHashSet();
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(cancellationToken))
                if (longRunning.Contains(update.Resource.Name) && KnownResourceStates.TerminalStates.Contains(update.Snapshot.State?.Text))
                    return $"{update.Resource.Name} ({update.Snapshot.State?.Text}, exit code {update.Snapshot.ExitCode?.ToString() ?? "none"})";
        }
        catch (OperationCanceledException) { }
        return null;
    }

    /// <summary>Every resource's state, and the last lines printed by each that is not up: what a failed start is read from.</summary>
    private async Task<string> DescribeResourcesAsync(int lines = 40)
    {
        var logs = App.Services.GetRequiredService<ResourceLoggerService>();
        var text = new System.Text.StringBuilder();
        foreach (var resource in App.Services.GetRequiredService<DistributedApplicationModel>().Resources)
        {
            if (!App.ResourceNotifications.TryGetCurrentState(resource.Name, out var current)) continue;
            var snapshot = current.Snapshot;
            text.AppendLine($"--- {resource.Name}: {snapshot.State?.Text ?? "?"}, health {snapshot.HealthStatus?.ToString() ?? "none"}, exit code {snapshot.ExitCode?.ToString() ?? "none"}");
            if (snapshot.State?.Text == KnownResourceStates.NotStarted || (snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus is null or HealthStatus.Healthy)) continue;
            var tail = new Queue<string>();
            using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await foreach (var batch in logs.GetAllAsync(resource).WithCancellation(enough.Token))
                    foreach (var line in batch)
                    {
                        tail.Enqueue(line.Content);
                        if (tail.Count > lines) tail.Dequeue();
                    }
            }
            catch (OperationCanceledException) { tail.Enqueue("(log read cut after 5 s)"); }
            foreach (var line in tail) text.AppendLine(line);
        }
        return text.ToString();
    }

    public virtual async Task DisposeAsync()
    {
        Api?.Dispose();
        if (App is not null) await App.DisposeAsync();
        _lifetime.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Every resource with a health check — every long-running process: silos, API, Prometheus, and PostgreSQL when
    /// it runs (not Aspire's helper resources, such as a project's rebuilder, nor one-shot steps such as postgres-init).
    /// </summary>
    public IReadOnlyList<string> ResourceNames() =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(r => r.Annotations.OfType<HealthCheckAnnotation>().Any())
            .Select(r => r.Name)
            .ToList();

    /// <summary>Runs an instant query through Prometheus' HTTP API (/api/v1/query) and returns data.result.</summary>
    public async Task<JsonArray> QueryPrometheusAsync(string promql)
    {
        using var prometheus = App.CreateHttpClient("prometheus");
        var response = await prometheus.GetFromJsonAsync<JsonObject>($"/api/v1/query?query={Uri.EscapeDataString(promql)}", Timeout);
        Assert.Equal("success", (string?)response!["status"]);
        return response["data"]!["result"]!.AsArray();
    }

    /// <summary>Polls a query until its result satisfies <paramref name="done"/> (Prometheus scrapes every 5 s).</summary>
    public async Task<JsonArray> WaitForPrometheusAsync(string promql, Func<JsonArray, bool> done, TimeSpan? within = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        deadline.CancelAfter(within ?? TimeSpan.FromMinutes(1));
        JsonArray result = [];
        while (!deadline.IsCancellationRequested)
        {
            result = await QueryPrometheusAsync(promql);
            if (done(result)) return result;
            try { await Task.Delay(1_000, deadline.Token); } catch (OperationCanceledException) { break; }
        }
        Assert.Fail($"Prometheus: `{promql}` never satisfied the condition; last result: {result.ToJsonString()}");
        return result;
    }

    /// <summary>The ids of the first <paramref name="count"/> assets of a district, through the API.</summary>
    public async Task<IReadOnlyList<string>> AssetIdsAsync(string district, int count)
    {
        var view = await Api.GetFromJsonAsync<JsonObject>($"/api/districts/{district}?limit={count}", Timeout);
        return view!["assets"]!.AsArray().Select(a => (string)a!["id"]!).ToList();
    }

    /// <summary>A sample's value (Prometheus returns [timestamp, "value"]).</summary>
    public static double Value(JsonNode? sample) => double.Parse((string)sample!["value"]![1]!, System.Globalization.CultureInfo.InvariantCulture);

    private Task WaitForSeededCityAsync() => CityTwin.Testing.SeededCity.WaitAsync(Api, SeedAssets, TimeSpan.FromMinutes(5), cancellationToken: Timeout);

    /// <summary>
    /// The first of <paramref name="count"/> consecutive free loopback ports (silo k listens on first + k − 1), below the
    /// kernel's ephemeral range: the silos bind them seconds later, and a port in that range may meanwhile become the
    /// local end of any connection another test assembly opens — a silo that cannot bind its port exits.
    /// </summary>
    private static int FreePortRange(int count)
    {
        var ephemeral = File.Exists(EphemeralRange) && int.TryParse(File.ReadAllText(EphemeralRange).Split((char[])['\t', ' '])[0], out var low) ? low : 32_768;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Random.Shared.Next(20_000, ephemeral - count);
            if (Enumerable.Range(first, count).All(IsFree)) return first;
        }
        throw new InvalidOperationException("no free port range found");

        static bool IsFree(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }

    private const string EphemeralRange = "/proc/sys/net/ipv4/ip_local_port_range";
}
