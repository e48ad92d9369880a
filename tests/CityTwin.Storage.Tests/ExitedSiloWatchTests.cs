using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;

namespace CityTwin.Storage.Tests;

/// <summary>
/// The watch that declares a silo dead when its endpoint refuses connections (ExitedSilos.cs): it must act on a
/// refused endpoint, and must never act on one that accepts connections but never answers — a slow, paused or
/// frozen silo, which only Orleans' probes may judge.
/// </summary>
public class ExitedSiloWatchTests
{
    // The kernel answers a loopback connect at once, refused or accepted; the timeout only bounds a broken test. It is
    // generous because the first connect of a test process also loads the socket stack while other tests start silos
    // on the same two cores (a 1 s timeout ran out there once in CI, before any answer could count).
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_port_nobody_listens_on_is_refused()
    {
        var port = TestHosts.FreePort();
        Assert.Equal(ExitedSiloWatch.Endpoint.Refused,
            await ExitedSiloWatch.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), AnswerTimeout, CancellationToken.None));
    }

    [Fact]
    public async Task A_listener_that_never_accepts_is_listening()
    {
        // A frozen process: its socket listens, nothing accepts; the kernel completes the handshake all the same.
        using var frozen = new TcpListener(IPAddress.Loopback, 0);
        frozen.Start();
        Assert.Equal(ExitedSiloWatch.Endpoint.Listening,
            await ExitedSiloWatch.ConnectAsync((IPEndPoint)frozen.LocalEndpoint, AnswerTimeout, CancellationToken.None));
    }

    [Fact]
    public async Task A_silo_declares_dead_a_member_whose_endpoint_refuses_and_not_one_that_is_frozen()
    {
        using var temp = new TempDirectory();
        var options = TestStorage.Sqlite(temp.Path);
        options.ClusterId = "exited-silos";
        // Orleans' own probes slowed to a minute: whatever is declared dead within the test was declared by the watch.
        var silo = await StartSiloAsync(options, new()
        {
            ["Cluster:Membership:ProbeTimeout"] = "00:01:00",
            ["Cluster:Membership:MinProbeTimeout"] = "00:00:30",
            ["Cluster:Membership:MaxProbeTimeout"] = "00:02:00",
        });
        using var frozen = new TcpListener(IPAddress.Loopback, 0);
        frozen.Start();
        try
        {
            var exited = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, TestHosts.FreePort()), SiloAddress.AllocateNewGeneration());
            var stalled = SiloAddress.New((IPEndPoint)frozen.LocalEndpoint, SiloAddress.AllocateNewGeneration());
            var table = silo.Services.GetRequiredService<IMembershipTable>();
            foreach (var member in new[] { exited, stalled })
            {
                var version = (await table.ReadAllAsync()).Version;
                Assert.True(await table.InsertRowAsync(ActiveEntry(member), version.Next()));
            }
            var membership = silo.Services.GetRequiredService<IClusterMembershipService>();
            await membership.Refresh();
            Assert.Equal(SiloStatus.Active, membership.CurrentSnapshot.GetSiloStatus(exited));

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (membership.CurrentSnapshot.GetSiloStatus(exited) != SiloStatus.Dead && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                await membership.Refresh();
            }
            Assert.Equal(SiloStatus.Dead, membership.CurrentSnapshot.GetSiloStatus(exited));

            // The frozen one has had the same checks, and more: it stays.
            await Task.Delay(TimeSpan.FromSeconds(2));
            await membership.Refresh();
            Assert.Equal(SiloStatus.Active, membership.CurrentSnapshot.GetSiloStatus(stalled));
        }
        finally
        {
            frozen.Stop();
            await TestHosts.StopAsync(silo);
        }
    }

    private static MembershipEntry ActiveEntry(SiloAddress silo) => new()
    {
        SiloAddress = silo,
        Status = SiloStatus.Active,
        HostName = "fake",
        SiloName = $"fake-{silo.Endpoint.Port}",
        ProxyPort = 0,
        StartTime = DateTime.UtcNow,
        IAmAliveTime = DateTime.UtcNow,
        SuspectTimes = [],
    };

    private static async Task<IHost> StartSiloAsync(StorageOptions options, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        builder.UseOrleans(silo =>
        {
            silo.UseCityTwinStorage(options, TestHosts.FreePort(), TestHosts.FreePort()).UseCityTwinFailureDetection(configuration);
            silo.Configure<EndpointOptions>(e => e.AdvertisedIPAddress = IPAddress.Loopback);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
