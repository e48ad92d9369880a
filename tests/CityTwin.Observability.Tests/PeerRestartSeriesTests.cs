using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using CityTwin.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace CityTwin.Observability.Tests;

/// <summary>
/// A silo that outlives many restarts of its peers keeps a bounded scrape: Orleans tags its message-size histograms
/// with the peer's address and generation, a new value at every restart (the soak's silo-1 grew ~120 lines a kill), and its
/// membership ping counters with nothing else (3–4 lines a kill).
/// </summary>
[Collection(nameof(ScrapeFixture))] // its hosts must not overlap the scrapes' (see ScrapeFixture)
public sealed partial class PeerRestartSeriesTests
{
    [Fact]
    public async Task Twenty_restarts_of_a_peer_add_no_series_and_lose_no_messages()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();

        // The instrument as Orleans records it (MessagingInstruments.OnMessageSend), one peer incarnation per generation.
        using var meter = new Meter("Microsoft.Orleans");
        var sent = meter.CreateHistogram<int>("orleans-messaging-sent-messages-size", "bytes");
        for (var generation = 1; generation <= 20; generation++)
            sent.Record(100, new("ConnectionDirection", "SiloToSilo"), new("MessageDirection", "Request"), new("silo", $"S127.0.0.1:11111:{generation}"));

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var scrape = await ScrapeFixture.ScrapeAsync(http);
        var counts = scrape.Samples.Where(s => s.Name == "orleans_messaging_sent_messages_size_bytes_count").ToList();
        Assert.NotEmpty(counts);
        Assert.All(counts, s => Assert.False(s.Labels.ContainsKey("silo"), "a peer silo's address is a label"));
        // One series for all twenty incarnations, holding all twenty messages.
        var line = Assert.Single(scrape.Text.Split('\n'), l => l.StartsWith("orleans_messaging_sent_messages_size_bytes_count{", StringComparison.Ordinal)
                                                               && l.Contains("ConnectionDirection=\"SiloToSilo\"") && l.Contains("MessageDirection=\"Request\""));
        Assert.Equal("20", line[(line.IndexOf('}') + 1)..].Trim().Split(' ')[0]);
    }

    /// <summary>
    /// Two real silos in one cluster; the second is stopped and started again three times while the first pings it (each
    /// start is a new generation, as after a crash). The first silo's scrape must name no silo: no label value may be a
    /// silo address (<c>S127.0.0.1:port:generation</c>), whatever the instrument — so an Orleans upgrade that tags another
    /// instrument with the peer fails here instead of growing every long-lived silo's scrape.
    /// </summary>
    [Fact]
    public async Task A_silo_whose_peer_restarts_exports_no_series_naming_a_silo()
    {
        var storage = TwinStorage.TempSqlite();
        string[] common = [.. storage.Args(), "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Seed:Assets=0"];
        string[] Ports() => [.. common, $"--Silo:Port={TwinHost.FreePort()}", $"--Silo:GatewayPort={TwinHost.FreePort()}"];
        var second = Ports(); // the same endpoints each time: only the generation changes, as after a crash

        await using var first = SiloProgram.CreateApp(Ports());
        await first.StartAsync();
        try
        {
            for (var incarnation = 0; incarnation < 3; incarnation++)
            {
                await using var peer = SiloProgram.CreateApp(second);
                await peer.StartAsync();
                await Task.Delay(TimeSpan.FromSeconds(4)); // probes every second (FailureDetection): several pings each way
                await peer.StopAsync();
            }

            using var http = new HttpClient { BaseAddress = new Uri(TwinHost.AddressOf(first)) };
            var scrape = await ScrapeFixture.ScrapeAsync(http);
            // The scenario ran: the first silo pinged its peer's incarnations and had replies.
            var pinged = scrape.Text.Split('\n').Where(l => l.StartsWith("orleans_messaging_pings_reply_received_total", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(pinged);
            var naming = scrape.Samples.SelectMany(s => s.Labels.Where(l => SiloAddress().IsMatch(l.Value)).Select(l => $"{s.Name}{{{l.Key}=\"{l.Value}\"}}"))
                .Distinct().ToList();
            Assert.True(naming.Count == 0, $"series naming a silo: {string.Join(", ", naming)}");
        }
        finally
        {
            await first.StopAsync();
        }
    }

    /// <summary>A SiloAddress as Orleans writes it: S, endpoint, generation.</summary>
    [GeneratedRegex(@"S\d{1,3}(\.\d{1,3}){3}:\d+:\d+")]
    private static partial Regex SiloAddress();
}
