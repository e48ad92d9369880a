using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Access;

namespace CityTwin.EndToEnd;

/// <summary>An incident handled end to end by named operators: the audit log holds every command, who sent it and what it did.</summary>
public sealed class AuditTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    [Fact]
    public async Task The_audit_log_holds_every_command_of_an_incident_with_who_what_before_and_after()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (alice, aliceId) = await fixture.Twin.ClientAsAsync(Roles.Operator);
        var (bob, bobId) = await fixture.Twin.ClientAsAsync(Roles.Operator);
        var link = fixture.City.Assets.First(a => a.Type == AssetType.Link);
        var intersection = fixture.City.Assets.First(a => a.Type == AssetType.Intersection);
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole);

        (await alice.PostAsJsonAsync($"/api/links/{link.Id}/status", new { condition = "down" })).EnsureSuccessStatusCode();
        (await bob.PostAsJsonAsync($"/api/intersections/{intersection.Id}/controller", new { fault = true })).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync($"/api/districts/{pole.District}/power", new { on = false })).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync($"/api/assets/{pole.Id}/status", new { status = "maintenance" })).EnsureSuccessStatusCode();
        var refused = await bob.PostAsJsonAsync($"/api/assets/{pole.Id}/status", new { status = "exploded" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode); // refused at the edge: not a command, nothing to audit
        (await alice.PostAsJsonAsync($"/api/districts/{pole.District}/power", new { on = true })).EnsureSuccessStatusCode();
        (await bob.PostAsJsonAsync($"/api/intersections/{intersection.Id}/controller", new { fault = false })).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync($"/api/links/{link.Id}/status", new { condition = "up" })).EnsureSuccessStatusCode();

        var sinceText = Uri.EscapeDataString(since.ToString("O"));
        var mine = (await alice.GetFromJsonAsync<JsonObject>($"/api/audit?actor=key:{aliceId}&since={sinceText}"))!["entries"]!.AsArray();
        Assert.Equal(["link.status", "district.power", "asset.status", "district.power", "link.status"],
            mine.Select(e => (string)e!["action"]!).Reverse());
        Assert.All(mine, e =>
        {
            Assert.Equal("operator", (string?)e!["role"]);
            Assert.Equal("ok", (string?)e["outcome"]);
            Assert.Equal("test operator", (string?)e["actorName"]);
        });
        var linkDown = mine.Last()!;
        Assert.Equal(link.Id, (string?)linkDown["target"]);
        Assert.StartsWith("Operational", (string?)linkDown["before"]);
        Assert.Contains("Down", (string?)linkDown["after"]);

        var controller = (await bob.GetFromJsonAsync<JsonObject>($"/api/audit?target={intersection.Id}"))!["entries"]!.AsArray();
        Assert.Equal([$"key:{bobId}", $"key:{bobId}"], controller.Select(e => (string)e!["actor"]!));
        Assert.Equal(["fault=True", "fault=False"], controller.Select(e => (string)e!["detail"]!).Reverse());

        // The asset's own history shows the commands sent to it.
        var history = (await fixture.Twin.Http.GetFromJsonAsync<JsonObject>($"/api/assets/{pole.Id}/history"))!;
        Assert.Contains(history["commands"]!.AsArray(), c => (string?)c!["action"] == "asset.status" && (string?)c["actor"] == $"key:{aliceId}");

        // A viewer may not read the audit log; paging follows `next`.
        var (viewer, _) = await fixture.Twin.ClientAsAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/audit")).StatusCode);
        var first = (await fixture.Twin.Http.GetFromJsonAsync<JsonObject>($"/api/audit?actor=key:{aliceId}&limit=2"))!;
        var second = (await fixture.Twin.Http.GetFromJsonAsync<JsonObject>((string)first["next"]!))!;
        Assert.Equal(mine.Skip(2).Take(2).Select(e => (long)e!["seq"]!), second["entries"]!.AsArray().Select(e => (long)e!["seq"]!));
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Twin.Http.GetAsync("/api/audit?since=yesterday")).StatusCode);
    }

    [Fact]
    public async Task A_command_whose_audit_entry_cannot_be_written_is_not_run()
    {
        await using var twin = await TwinHost.StartAsync(TwinStorage.TempSqlite());
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole);
        using var imported = await ApiFixture.ImportAsync(twin.Http, [pole with { Dependencies = AssetDependencies.None }]);
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());

        // The audit table gone (as a read-only or broken database would refuse the write).
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(twin.Storage.DataDirectory!, "citytwin.db")}"))
        {
            await db.OpenAsync();
            await using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE CityTwinAudit";
            await drop.ExecuteNonQueryAsync();
        }
        var response = await twin.Http.PostAsJsonAsync($"/api/assets/{pole.Id}/status", new { status = "offline" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("audit", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["type"]);
        var asset = (await twin.Http.GetFromJsonAsync<JsonObject>($"/api/assets/{pole.Id}"))!;
        Assert.Equal((string?)(await twin.Http.GetFromJsonAsync<JsonObject>($"/api/assets/{pole.Id}"))!["status"], (string?)asset["status"]);
        Assert.NotEqual("offline", (string?)asset["status"]);
    }

    [Fact]
    public async Task Entries_older_than_the_retention_are_deleted_by_the_sweep()
    {
        await using var twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(), "--Audit:Retention=00:00:02", "--Audit:SweepInterval=00:00:01");
        (await twin.Http.PostAsJsonAsync("/api/keys", new { name = "short-lived audit", role = "viewer" })).EnsureSuccessStatusCode();
        Assert.NotEmpty((await twin.Http.GetFromJsonAsync<JsonObject>("/api/audit?action=key.create"))!["entries"]!.AsArray());
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await twin.Http.GetFromJsonAsync<JsonObject>("/api/audit?action=key.create"))!["entries"]!.AsArray().Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the entry outlived its retention by more than 13 s");
            await Task.Delay(250);
        }
    }
}
