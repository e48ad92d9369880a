using System.Net;
using System.Net.Sockets;
using CityTwin.Api;
using CityTwin.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.EndToEnd;

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
    private readonly WebApplication _api;

    public HttpClient Http { get; }

    /// <summary>The API's services, for what a test cannot see over HTTP (several twins in one test process share meters).</summary>
    public IServiceProvider ApiServices => _api.Services;
    public TwinStorage Storage { get; }

    private TwinHost(WebApplication silo, WebApplication api, TwinStorage storage)
    {
        _silo = silo;
        _api = api;
        Storage = storage;
        Http = new HttpClient { BaseAddress = new Uri(AddressOf(api)), Timeout = TimeSpan.FromMinutes(2) };
    }

    public static async Task<TwinHost> StartAsync(TwinStorage storage, params string[] extraArgs)
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        string[] common = [.. storage.Args(), $"--Silo:GatewayPort={gatewayPort}", "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. extraArgs];

        var silo = SiloProgram.CreateApp([.. common, $"--Silo:Port={siloPort}", "--Seed:Assets=0"]);
        await silo.StartAsync();
        var api = ApiProgram.CreateApp(common);
        await api.StartAsync();
        return new TwinHost(silo, api, storage);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _api.StopAsync();
        await _silo.StopAsync(); // graceful: grains deactivate and flush what they wrote behind
        await _api.DisposeAsync();
        await _silo.DisposeAsync();
    }

    private static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
