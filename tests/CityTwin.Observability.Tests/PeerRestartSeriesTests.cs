using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace CityTwin.Observability.Tests;

/// <summary>
/// A silo that outlives many restarts of its peers keeps a bounded scrape: Orleans tags its message-size histograms
/// with the peer's address and generation, a new value at every restart (the soak's silo-1 grew ~120 lines a kill).
/// </summary>
[Collection(nameof(ScrapeFixture))] // its host must not overlap the scrapes' (see ScrapeFixture)
public sealed class PeerRestartSeriesTests
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
}
