using System.Net;
using System.Net.Sockets;
using CityTwin.Api;
using CityTwin.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Observability.Tests;

/// <summary>
/// A real silo and a real API, each a Kestrel server on a free loopback port, on a temporary SQLite file — the same
/// start-up code the product runs (a copy of tests/CityTwin.EndToEnd's TwinHost, trimmed to what scraping needs).
/// </summary>
public sealed class InProcessTwin : IAsyncDisposable
{
    private readonly WebApplication _silo;
    private readonly WebApplication _api;
    private readonly string _data;

    private InProcessTwin(WebApplication silo, WebApplication api, string data)
    {
        _silo = silo;
        _api = api;
        _data = data;
        Silo = new HttpClient { BaseAddress = new Uri(AddressOf(silo)), Timeout = TimeSpan.FromMinutes(1) };
        Api = new HttpClient { BaseAddress = new Uri(AddressOf(api)), Timeout = TimeSpan.FromMinutes(1) };
    }

    public HttpClient Silo { get; }
    public HttpClient Api { get; }

    /// <summary>Starts a silo (which seeds <paramref name="seedAssets"/> assets in the background) and an API.</summary>
    public static async Task<InProcessTwin> StartAsync(int seedAssets)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-obs-").FullName;
        int siloPort = FreePort(), gatewayPort = FreePort();
        string[] common =
        [
            "--Storage:Provider=Sqlite", $"--Storage:DataDirectory={data}", $"--Storage:ClusterId=obs-{Guid.NewGuid():N}",
            $"--Silo:GatewayPort={gatewayPort}", "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning",
        ];
        var silo = SiloProgram.CreateApp([.. common, $"--Silo:Port={siloPort}", $"--Seed:Assets={seedAssets}"]);
        await silo.StartAsync();
        var api = ApiProgram.CreateApp(common);
        await api.StartAsync();
        return new InProcessTwin(silo, api, data);
    }

    public async ValueTask DisposeAsync()
    {
        Silo.Dispose();
        Api.Dispose();
        await _api.StopAsync();
        await _silo.StopAsync();
        await _api.DisposeAsync();
        await _silo.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } // best effort: a temp folder
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
