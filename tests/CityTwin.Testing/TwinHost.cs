using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using CityTwin.Api;
using CityTwin.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

using CityTwin.Domain.Access;
using CityTwin.LoadTests;

namespace CityTwin.Testing;

/// <summary>Where a twin keeps its state: a SQLite file in a folder, or a PostgreSQL database.</summary>
public sealed record TwinStorage(string Provider, string? DataDirectory = null, string? ConnectionString = null)
{
    public static TwinStorage TempSqlite() =>
        new("Sqlite", Directory.CreateTempSubdirectory("citytwin-e2e-").FullName);

    public static TwinStorage Postgres(string connectionString) => new("PostgreSql", ConnectionString: connectionString);

    public string ClusterId { get; } = $"e2e-{Guid.NewGuid():N}";

    public IEnumerable<string> Args()
    {
        yield return $"--Storage:Provider={Provider}";
        yield return $"--Storage:ClusterId={ClusterId}";
        if (DataDirectory is not null) yield return $"--Storage:DataDirectory={DataDirectory}";
        if (ConnectionString is not null) yield return $"--Storage:ConnectionString={ConnectionString}";
    }
}

/// <summary>A real silo and a real API, each a Kestrel server on a free loopback port, as the product runs them.</summary>
public sealed class TwinHost : IAsyncDisposable
{
    private readonly WebApplication _silo;
    private WebApplication _api;
    private readonly string[] _apiArgs;
    private readonly List<WebApplication> _moreApis = [];
    private readonly ServerErrors _errors;

    /// <summary>The API, as the deployment's admin (its first key, made as the AppHost makes it).</summary>
    public HttpClient Http { get; }

    /// <summary>The silo's own HTTP endpoint (/metrics, /health).</summary>
    public HttpClient SiloHttp { get; }

    public AdminKey Admin { get; }

    /// <summary>The API's services, for what a test cannot see over HTTP (several twins in one test process share meters).</summary>
    public IServiceProvider ApiServices => _api.Services;
    public TwinStorage Storage { get; }

    private TwinHost(WebApplication silo, WebApplication api, string[] apiArgs, TwinStorage storage, AdminKey admin, ServerErrors errors)
    {
        _errors = errors;
        _silo = silo;
        _api = api;
        _apiArgs = apiArgs;
        Storage = storage;
        Admin = admin;
        Http = admin.Authorize(Client());
        SiloHttp = new HttpClient { BaseAddress = new Uri(AddressOf(silo)), Timeout = TimeSpan.FromMinutes(1) };
    }

    public static Task<TwinHost> StartAsync(TwinStorage storage, params string[] extraArgs) => StartAsync(storage, 0, extraArgs);

    /// <summary>A silo (seeding <paramref name="seedAssets"/> assets in the background when not 0) and an API.</summary>
    public static async Task<TwinHost> StartAsync(TwinStorage storage, int seedAssets, params string[] extraArgs)
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        var admin = AdminKey.New();
        string[] common = [.. storage.Args(), $"--Silo:GatewayPort={gatewayPort}", "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", admin.Argument, .. extraArgs];

        var silo = SiloProgram.CreateApp([.. common, $"--Silo:Port={siloPort}", $"--Seed:Assets={seedAssets}"]);
        await silo.StartAsync();
        var errors = new ServerErrors();
        var api = ApiProgram.CreateApp(common, errors.Register);
        await api.StartAsync();
        await ReadyAsync(api);
        var twin = new TwinHost(silo, api, common, storage, admin, errors);
        if (seedAssets > 0) await twin.SeededAsync(seedAssets);
        return twin;
    }

    /// <summary>
    /// The silo seeds in the background: waits until the city is there and the API's live feed follows each of its
    /// districts (it reads the district list every few seconds), so a test's first change is found and reaches the feed.
    /// </summary>
    private Task SeededAsync(int assets)
    {
        var feed = _api.Services.GetRequiredService<CityTwin.Api.Feed.LiveFeed>();
        return SeededCity.WaitAsync(Http, assets, TimeSpan.FromMinutes(2), ids => ids.All(feed.IsSubscribed), feed.RefreshSoon);
    }

    /// <summary>
    /// Another API process on the same cluster, as a deployment runs several behind a load balancer; a client of it with
    /// no credential. <paramref name="services"/> replaces some of its services (e.g. a keyed clock).
    /// </summary>
    public async Task<HttpClient> StartAnotherApiAsync(Action<IServiceCollection>? services = null)
    {
        var api = ApiProgram.CreateApp(_apiArgs, s =>
        {
            _errors.Register(s);
            services?.Invoke(s);
        });
        await api.StartAsync();
        _moreApis.Add(api);
        await ReadyAsync(api);
        return new HttpClient(new ServerErrors.FailOn500(_errors)) { BaseAddress = new Uri(AddressOf(api)), Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>
    /// Stops the API (as a deployment restarts it: its live feeds end, its port closes) and starts a new one on the same
    /// address, once <paramref name="down"/> has passed, so clients and browsers that knew it reconnect to the new one.
    /// </summary>
    public async Task RestartApiAsync(TimeSpan down)
    {
        var address = new Uri(AddressOf(_api));
        await _api.StopAsync();
        await _api.DisposeAsync();
        await Task.Delay(down);
        _api = ApiProgram.CreateApp([.. _apiArgs, $"--urls=http://{address.Host}:{address.Port}"], _errors.Register);
        await _api.StartAsync();
        await ReadyAsync(_api);
    }

    /// <summary>
    /// Waits for the API's readiness (/health: it has the cluster's key list), as a deployment's probe does before it
    /// sends traffic: on a loaded machine a fresh PostgreSQL cluster can take longer than a request waits for the keys.
    /// </summary>
    private static async Task ReadyAsync(WebApplication api)
    {
        using var probe = new HttpClient { BaseAddress = new Uri(AddressOf(api)), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                using var health = await probe.GetAsync("/health");
                if (health.IsSuccessStatusCode) return;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The API was not ready within a minute: {await health.Content.ReadAsStringAsync()}");
            }
            catch (HttpRequestException) when (DateTime.UtcNow <= deadline)
            {
            }
            await Task.Delay(50);
        }
    }

    /// <summary>A client of this API with no credential.</summary>
    public HttpClient Client() => new(new ServerErrors.FailOn500(_errors)) { BaseAddress = new Uri(AddressOf(_api)), Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>A client with a new API key of <paramref name="role"/>, created by the admin through the API as an admin would.</summary>
    public async Task<(HttpClient Http, string KeyId)> ClientAsAsync(string role, string[]? districts = null, string[]? types = null, string? department = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/keys", new { name = $"test {role}", role, districts, types, department });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
        var client = Client();
        client.DefaultRequestHeaders.Authorization = AdminKey.Header((string)created!["key"]!);
        return (client, (string)created["record"]!["id"]!);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        SiloHttp.Dispose();
        foreach (var api in _moreApis)
        {
            await api.StopAsync();
            await api.DisposeAsync();
        }
        await _api.StopAsync();
        await _silo.StopAsync(); // graceful: grains deactivate and flush what they wrote behind
        await _api.DisposeAsync();
        await _silo.DisposeAsync();
    }

    /// <summary>The first address a started web app listens on.</summary>
    public static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>A loopback port free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
