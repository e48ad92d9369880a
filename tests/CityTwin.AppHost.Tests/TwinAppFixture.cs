using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

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
        await App.StartAsync(Timeout);
        HasPrometheus = ResourceNames().Contains("prometheus");
        foreach (var name in ResourceNames()) await App.ResourceNotifications.WaitForResourceHealthyAsync(name, Timeout);
        Api = App.CreateHttpClient("api");
        Api.Timeout = TimeSpan.FromMinutes(1);
        Api.DefaultRequestHeaders.Authorization = new("ApiKey", AdminKey);
        await WaitForSeededCityAsync();
        _lifetime.CancelAfter(TestsBudget);
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

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports (silo k listens on first + k − 1).</summary>
    private static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Random.Shared.Next(20_000, 60_000);
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
}
