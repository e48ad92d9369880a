using System.Net;
using CityTwin.Api;
using CityTwin.LoadTests;
using CityTwin.Silo;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.EndToEnd;

/// <summary>An API started before any silo waits for the cluster instead of exiting, and serves once a silo is up.</summary>
public sealed class StartOrderTests
{
    [Fact]
    public async Task An_api_started_before_the_silos_waits_for_them_and_then_serves()
    {
        var storage = TwinStorage.TempSqlite();
        int siloPort = ChildProcess.FreePort(), gatewayPort = ChildProcess.FreePort();
        var admin = AdminKey.New();
        string[] common = [.. storage.Args(), $"--Silo:GatewayPort={gatewayPort}", "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", admin.Argument];

        var api = ApiProgram.CreateApp(common);
        var apiStarted = api.StartAsync(); // connects to the cluster as it starts: no silo yet
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(apiStarted.IsFaulted, apiStarted.Exception?.ToString());

        var silo = SiloProgram.CreateApp([.. common, $"--Silo:Port={siloPort}", "--Seed:Assets=0"]);
        await silo.StartAsync();
        try
        {
            await apiStarted.WaitAsync(TimeSpan.FromSeconds(20)); // retries back off to 5 s (the gateway list is re-read every second)
            var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = admin.Authorize(new HttpClient { BaseAddress = new Uri(address) });
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/me")).StatusCode);
        }
        finally
        {
            await api.StopAsync();
            await silo.StopAsync();
            await api.DisposeAsync();
            await silo.DisposeAsync();
        }
    }
}
