using System.Net;
using System.Text.Json.Nodes;

namespace CityTwin.EndToEnd;

/// <summary>
/// The alarm board without floods, through the API: a link cut, a feeder outage and a controller fault are one
/// root-cause group each, with as many members as the flat list has consequences of that root; a group is
/// acknowledged at once; a shelf takes a group off the board until it expires. Runs on the cascade twin (its own).
/// </summary>
[Collection(CascadeCollection.Name)]
public sealed class AlarmBoardApiTests(CascadeFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<JsonNode> Get(string url) => await Json.ReadAsync(await Http.GetAsync(url));

    private async Task<JsonNode> Until(string url, Func<JsonNode, bool> done, int timeoutMs = 20_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var json = await Get(url);
            if (done(json) || DateTime.UtcNow > deadline) return json;
            await Task.Delay(50);
        }
    }

    private static JsonNode[] Groups(JsonNode board, string root) =>
        [.. board["groups"]!.AsArray().Where(g => (string?)g!["root"] == root).Select(g => g!)];

    /// <summary>The flat list's active consequences of a root (its own alarm excluded).</summary>
    private async Task<JsonNode[]> ConsequencesAsync(string root) =>
        [.. (await Get("/api/alarms?active=true&limit=1000"))["alarms"]!.AsArray().Where(a => (string?)a!["root"] == root && (string?)a["assetId"] != root).Select(a => a!)];

    /// <summary>Waits until the root's group has settled at <paramref name="atLeast"/> members or more, and the flat list agrees.</summary>
    private async Task<JsonNode> SettledGroupAsync(string root, int atLeast)
    {
        JsonNode? group = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var board = await Get("/api/alarms?group=root&active=true&limit=1000");
            group = Groups(board, root).SingleOrDefault();
            if (group is not null && (int)group["members"]! >= atLeast && (int)group["members"]! == (await ConsequencesAsync(root)).Length)
            {
                await Task.Delay(300); // and still so a moment later: the cascade is over
                var again = Groups(await Get("/api/alarms?group=root&active=true&limit=1000"), root).Single();
                if ((int)again["members"]! == (int)group["members"]!) return again;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"the group of {root} did not settle: {group?.ToJsonString()}");
        return null!;
    }

    private async Task<HashSet<string>> GroupRootsAsync() =>
        [.. (await Get("/api/alarms?group=root&active=true&limit=1000"))["groups"]!.AsArray().Select(g => (string)g!["root"]!)];

    [Fact]
    public async Task A_link_cut_is_one_group_whose_members_are_the_flat_lists_consequences_and_it_is_acknowledged_at_once()
    {
        var link = fixture.City.Assets.Last(a => a.Type == AssetType.Link);
        var dependents = fixture.City.Assets.Where(a => a.Dependencies.BackhaulLinkId == link.Id).ToArray();
        var before = await GroupRootsAsync();

        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"down"}"""))).StatusCode);
        try
        {
            // Every pole and camera on the link loses it; an intersection only when all its cameras did.
            var group = await SettledGroupAsync(link.Id, dependents.Count(a => a.Type is AssetType.Pole or AssetType.Camera));
            // The cut made one group, no more (an earlier test's group may still be clearing: only new roots count).
            Assert.Equal([link.Id], (await GroupRootsAsync()).Except(before));
            Assert.False((bool)group["synthetic"]!);
            Assert.Equal("critical", (string?)group["severity"]);
            Assert.Equal("linkDown", (string?)group["alarm"]!["kind"]);
            Assert.Equal($"{link.Id}: link down", (string?)group["cause"]);
            var consequences = await ConsequencesAsync(link.Id);
            Assert.Equal(consequences.Length, (int)group["members"]!);
            Assert.Equal(consequences.Count(a => (string?)a["assetType"] == "pole"), (int?)group["byType"]!["pole"] ?? 0);
            Assert.Equal(consequences.Count(a => (string?)a["severity"] == "major"), (int)group["bySeverity"]!["major"]!);
            Assert.All(consequences, a => Assert.True((bool)a["suppressed"]!));

            // Suppressed consequences off the flat list: their root stands for them.
            var unsuppressed = (await Get("/api/alarms?active=true&suppressed=false&limit=1000"))["alarms"]!.AsArray();
            Assert.DoesNotContain(unsuppressed, a => (string?)a!["root"] == link.Id && (string?)a["assetId"] != link.Id);
            Assert.Contains(unsuppressed, a => (string?)a!["assetId"] == link.Id);

            // Its members, page by page.
            var members = new List<JsonNode>();
            string? url = $"/api/alarms/groups/{link.Id}/members?active=true&limit=50";
            while (url is not null)
            {
                var page = await Get(url);
                Assert.Equal(consequences.Length, (int)page["total"]!);
                members.AddRange(page["alarms"]!.AsArray().Select(a => a!));
                url = (string?)page["nextCursor"] is { } next ? $"/api/alarms/groups/{link.Id}/members?active=true&limit=50&cursor={next}" : null;
            }
            Assert.Equal(consequences.Select(a => (string)a["id"]!).Order(), members.Select(a => (string)a["id"]!).Order());
            Assert.Equal((string?)group["membersUrl"], $"/api/alarms/groups/{link.Id}/members");

            // Acknowledged at once.
            var acked = await Http.PostAsync($"/api/alarms/groups/{link.Id}/ack", Json.Body("""{"by":"ops-desk-4","note":"satellite operator called"}"""));
            Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
            var answer = await Json.ReadAsync(acked);
            Assert.Equal(consequences.Length + 1, (int)answer["acknowledged"]!);
            var after = (await Get($"/api/alarms/groups/{link.Id}/members?active=true&limit=1000"))["alarms"]!.AsArray();
            Assert.All(after, a => Assert.Equal("ops-desk-4", (string?)a!["acknowledgedBy"]));
            var acknowledgedGroup = Groups(await Get("/api/alarms?group=root&active=true&limit=1000"), link.Id).Single();
            Assert.True((bool)acknowledgedGroup["acknowledged"]!);
            Assert.Equal("satellite operator called", (string?)acknowledgedGroup["alarm"]!["note"]);
            var audit = await Get($"/api/audit?action=alarm.group.ack&target={link.Id}");
            Assert.Equal("ok", (string?)Assert.Single(audit["entries"]!.AsArray())!["outcome"]); // one entry for the whole group
        }
        finally
        {
            await Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"up"}"""));
        }
        await Until("/api/alarms?group=root&active=true&limit=1000", j => Groups(j, link.Id).Length == 0);
    }

    [Fact]
    public async Task A_feeder_outage_is_one_synthetic_group_keyed_by_the_feeder()
    {
        var district = fixture.City.Districts[0];
        var feeder = fixture.City.Assets.Where(a => a.District == district).Select(a => a.Dependencies.PowerFeederId).OfType<string>().Distinct().Order().Last();
        var onFeeder = fixture.City.Assets.Count(a => a.Dependencies.PowerFeederId == feeder);
        var before = await GroupRootsAsync();

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/api/districts/{district}/power", new { on = false, feeder })).StatusCode);
        try
        {
            var group = await SettledGroupAsync(feeder, onFeeder);
            Assert.Equal([feeder], (await GroupRootsAsync()).Except(before)); // only new roots: an earlier group may still be clearing
            Assert.True((bool)group["synthetic"]!);
            Assert.Null(group["alarm"]);
            Assert.Equal($"{feeder}: feeder outage", (string?)group["cause"]);
            Assert.Equal((await ConsequencesAsync(feeder)).Length, (int)group["members"]!);
        }
        finally
        {
            await Http.PostJsonAsync($"/api/districts/{district}/power", new { on = true, feeder });
        }
        await Until("/api/alarms?group=root&active=true&limit=1000", j => Groups(j, feeder).Length == 0);
    }

    [Fact]
    public async Task A_controller_fault_is_one_group_and_a_shelf_takes_it_off_the_board_until_it_expires()
    {
        var intersections = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).ToArray();
        var intersection = intersections[intersections.Length / 2];
        var before = await GroupRootsAsync();

        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/intersections/{intersection.Id}/controller", Json.Body("""{"fault":true}"""))).StatusCode);
        try
        {
            var group = await SettledGroupAsync(intersection.Id, 0);
            Assert.Equal([intersection.Id], (await GroupRootsAsync()).Except(before)); // only new roots: an earlier group may still be clearing
            Assert.Equal(0, (int)group["members"]!);
            Assert.Equal("controllerFault", (string?)group["alarm"]!["kind"]);
            var alarmId = (string)group["alarm"]!["id"]!;

            // Refused: no expiry, one in the past, one beyond the configured maximum (24 h).
            Assert.Contains("until", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostJsonAsync($"/api/alarms/{alarmId}/shelve", new { note = "x" }), 400, "validation")));
            Assert.Contains("until", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostJsonAsync($"/api/alarms/{alarmId}/shelve", new { until = DateTimeOffset.UtcNow.AddMinutes(-1) }), 400, "validation")));
            Assert.Contains("until", Json.ErrorFields(await Json.AssertProblemAsync(await Http.PostJsonAsync($"/api/alarms/{alarmId}/shelve", new { until = DateTimeOffset.UtcNow.AddHours(25) }), 400, "validation")));
            var (viewer, _) = await fixture.Twin.ClientAsAsync("viewer");
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJsonAsync($"/api/alarms/{alarmId}/shelve", new { until = DateTimeOffset.UtcNow.AddMinutes(1) })).StatusCode);

            // Shelved, then taken off the shelf by hand.
            var shelved = await Http.PostJsonAsync($"/api/alarms/{alarmId}/shelve", new { until = DateTimeOffset.UtcNow.AddHours(1), note = "crew on site" });
            Assert.Equal(HttpStatusCode.OK, shelved.StatusCode);
            Assert.Equal(intersection.Id, (string?)(await Json.ReadAsync(shelved))["root"]);
            Assert.Empty(Groups(await Get("/api/alarms?group=root&active=true&limit=1000"), intersection.Id));
            Assert.DoesNotContain((await Get("/api/alarms?active=true&limit=1000"))["alarms"]!.AsArray(), a => (string?)a!["id"] == alarmId);
            Assert.Equal("crew on site", (string?)Groups(await Get("/api/alarms?group=root&active=true&shelved=true&limit=1000"), intersection.Id).Single()["shelved"]!["note"]);
            Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/api/alarms/{alarmId}/shelve")).StatusCode);
            Assert.Single(Groups(await Get("/api/alarms?group=root&active=true&limit=1000"), intersection.Id));
            await Json.AssertProblemAsync(await Http.DeleteAsync($"/api/alarms/{alarmId}/shelve"), 404, "not-found");

            // Shelved by the root's id for two seconds: gone from the active board, back by itself.
            var until = DateTimeOffset.UtcNow.AddSeconds(2);
            Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/api/alarms/{intersection.Id}/shelve", new { until })).StatusCode);
            Assert.Empty(Groups(await Get("/api/alarms?group=root&active=true&limit=1000"), intersection.Id));
            var back = await Until("/api/alarms?group=root&active=true&limit=1000", j => Groups(j, intersection.Id).Length == 1, 10_000);
            Assert.Single(Groups(back, intersection.Id));
            Assert.True(DateTimeOffset.UtcNow >= until);
            await Json.AssertProblemAsync(await Http.PostJsonAsync("/api/alarms/int-nowhere/shelve", new { until = DateTimeOffset.UtcNow.AddMinutes(5) }), 404, "not-found");
        }
        finally
        {
            await Http.PostAsync($"/api/intersections/{intersection.Id}/controller", Json.Body("""{"fault":false}"""));
        }
    }
}
