using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace CityTwin.Storage.Tests;

/// <summary>
/// Real silo and client hosts, configured only through the extension methods under test, on free TCP ports.
/// (The TestingHost clusters bring their own membership, which would replace the clustering these tests are about.)
/// </summary>
public static class TestHosts
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static Task<IHost> StartSiloAsync(StorageOptions options, int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseCityTwinStorage(options, siloPort, gatewayPort);
            // Several silos on one machine: advertise loopback, whatever network interfaces the machine has.
            silo.Configure<EndpointOptions>(e => e.AdvertisedIPAddress = IPAddress.Loopback);
        });
        return StartAsync(builder.Build());
    }

    public static Task<IHost> StartClientAsync(StorageOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseCityTwinClustering(options));
        return StartAsync(builder.Build());
    }

    public static async Task StopAsync(IHost host)
    {
        await host.StopAsync();
        host.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<IHost> StartAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
