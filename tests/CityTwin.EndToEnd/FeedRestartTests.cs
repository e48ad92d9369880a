using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.LoadTests;

namespace CityTwin.EndToEnd;

/// <summary>
/// The live feed across a restart of the API process. The contract: an event id names a position in one API process's
/// feed; a client that resumes with a Last-Event-ID the new process did not issue first gets a <c>gap</c> event
/// (reason <c>unknown-last-event-id</c>, with the URLs to resync from and an id to resume from), then every change
/// from then on. What changed while no API was up is not replayed: it is in the query API, which the gap names.
/// </summary>
public sealed class FeedRestartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task After_an_api_restart_a_resuming_client_gets_a_gap_first_then_every_new_change()
    {
        await using var twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(), seedAssets: 1_000);
        string? lastId;
        await using (var before = await FeedClient.ConnectAsync(twin.Http, "?type=pole"))
        {
            using (await twin.Http.PostAsJsonAsync("/api/assets/pole-0001/status", new { status = "maintenance" })) { }
            var change = (await before.UntilAsync(m => m.Data.Contains("pole-0001"), Wait)).Last();
            lastId = change.Id;
        }
        Assert.NotNull(lastId);

        await twin.RestartApiAsync(TimeSpan.FromSeconds(1));

        await using var resumed = await FeedClient.ConnectAsync(twin.Http, "?type=pole", lastEventId: lastId);
        var gap = await resumed.NextAsync(Wait);
        Assert.Equal("gap", gap?.Event);
        var notice = JsonNode.Parse(gap!.Data)!;
        Assert.Equal("unknown-last-event-id", (string?)notice["reason"]);
        Assert.Contains("/api/assets", notice["resync"]!.AsArray().Select(p => (string?)p));

        using (await twin.Http.PostAsJsonAsync("/api/assets/pole-0002/status", new { status = "maintenance" })) { }
        var after = await resumed.UntilAsync(m => m.Data.Contains("pole-0002"), Wait);
        Assert.Contains(after, m => m.Event != "gap" && m.Data.Contains("pole-0002"));
        Assert.DoesNotContain(after, m => m.Event == "gap");
    }
}
