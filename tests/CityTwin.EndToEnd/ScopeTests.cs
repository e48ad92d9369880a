using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Access;
using CityTwin.LoadTests;

namespace CityTwin.EndToEnd;

/// <summary>
/// A caller limited to districts and types — plus what an admin shared with its department — sees exactly that part of
/// the city, counts included, in queries, stats, districts, exports and the feed; the rest is not found, never 403.
/// The oracle is the generated city itself.
/// </summary>
public sealed class ScopeTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    [Fact]
    public async Task A_scoped_department_sees_exactly_its_districts_and_types_and_what_was_shared_with_it()
    {
        var districts = fixture.City.Assets.Select(a => a.District).Distinct().Order().ToArray();
        Assert.True(districts.Length >= 2, "the test city needs two districts");
        var (own, shared) = (districts[0], districts[1]);
        var department = $"lighting{Guid.NewGuid():N}"[..16];
        using var share = await fixture.Twin.Http.PostAsJsonAsync("/api/shares", new { from = "transport", to = department, districts = new[] { shared }, types = new[] { "intersection" }, reason = "junction lamps" });
        Assert.Equal(HttpStatusCode.Created, share.StatusCode);
        var (http, _) = await fixture.Twin.ClientAsAsync(Roles.Operator, districts: [own], types: ["pole", "camera"], department: department);

        bool Visible(Asset a) => (a.District == own && a.Type is AssetType.Pole or AssetType.Camera) || (a.District == shared && a.Type == AssetType.Intersection);
        var oracle = fixture.City.Assets.Where(Visible).Select(a => a.Id).Order(StringComparer.Ordinal).ToArray();
        var hidden = fixture.City.Assets.First(a => !Visible(a));
        Assert.NotEmpty(oracle);

        // Queries: every page, nothing outside the scope, nothing inside it missing.
        var seen = new List<string>();
        for (var url = "/api/assets?limit=1000"; url is not null;)
        {
            var page = (await http.GetFromJsonAsync<JsonObject>(url))!;
            seen.AddRange(page["items"]!.AsArray().Select(i => (string)i!["id"]!));
            url = (string?)page["next"];
        }
        Assert.Equal(oracle, seen.Order(StringComparer.Ordinal));
        var poles = (await http.GetFromJsonAsync<JsonObject>($"/api/assets?type=pole&district={shared}"))!;
        Assert.Empty(poles["items"]!.AsArray()); // poles of the shared district were not shared

        // Stats and districts: counts only of what it sees.
        var stats = (await http.GetFromJsonAsync<JsonObject>("/api/stats"))!;
        Assert.Equal(oracle.Length, (int)stats["city"]!["assets"]!);
        Assert.Equal([own, shared], stats["districts"]!.AsArray().Select(d => (string)d!["id"]!).Order());
        var list = (await http.GetFromJsonAsync<JsonArray>("/api/districts"))!;
        Assert.Equal(oracle.Length, list.Sum(d => (int)d!["total"]!));
        if (districts.Length > 2) Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/districts/{districts[^1]}")).StatusCode);

        // Export: the same assets.
        var exported = (await http.GetFromJsonAsync<JsonObject>("/api/export"))!["features"]!.AsArray().Select(f => (string)f!["id"]!).Order(StringComparer.Ordinal);
        Assert.Equal(oracle, exported);

        // One asset outside: not found to read and to command, never 403.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/assets/{hidden.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync($"/api/assets/{hidden.Id}/status", new { status = "maintenance" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/assets/{oracle[0]}")).StatusCode);

        // Feed: changes inside the scope arrive; those outside never do. (The API follows a district's feed shortly
        // after it appears, so the two assets change in turn until the inside one is seen.)
        var inside = fixture.City.Assets.First(a => a.Id == oracle[0]);
        await using var feed = await FeedClient.ConnectAsync(http);
        var messages = new List<FeedMessage>();
        for (var attempt = 0; attempt < 40 && !messages.Any(m => m.Data.Contains(inside.Id)); attempt++)
        {
            var status = attempt % 2 == 0 ? "maintenance" : "operational";
            (await fixture.Twin.Http.PostAsJsonAsync($"/api/assets/{hidden.Id}/status", new { status })).EnsureSuccessStatusCode();
            (await fixture.Twin.Http.PostAsJsonAsync($"/api/assets/{inside.Id}/status", new { status })).EnsureSuccessStatusCode();
            messages.AddRange(await feed.UntilAsync(m => m.Data.Contains(inside.Id), TimeSpan.FromMilliseconds(500)));
        }
        Assert.Contains(messages, m => m.Data.Contains(inside.Id));
        Assert.DoesNotContain(messages, m => m.Data.Contains(hidden.Id));

        // Revoking the share takes the shared district away.
        var shareId = (string)(await share.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        (await fixture.Twin.Http.DeleteAsync($"/api/shares/{shareId}")).EnsureSuccessStatusCode();
        var after = (await http.GetFromJsonAsync<JsonObject>("/api/stats"))!;
        Assert.Equal(fixture.City.Assets.Count(a => a.District == own && a.Type is AssetType.Pole or AssetType.Camera), (int)after["city"]!["assets"]!);
    }

    [Fact]
    public async Task A_device_limited_to_a_district_sends_readings_only_for_its_assets()
    {
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole);
        var other = fixture.City.Assets.First(a => a.Type == AssetType.Pole && a.District != pole.District);
        var (device, _) = await fixture.Twin.ClientAsAsync(Roles.Device, districts: [pole.District]);
        var at = $"\"{DateTimeOffset.UtcNow:O}\"";
        using var response = await device.PostAsync("/api/telemetry", Json.Body($$"""
            [{"id":"{{pole.Id}}","timestamp":{{at}},"dimLevel":37},
             {"id":"{{other.Id}}","timestamp":{{at}},"dimLevel":37}]
            """));
        var report = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, (int)report["applied"]!);
        Assert.Equal(other.Id, (string?)report["rejected"]![0]!["id"]);
        Assert.Equal(404, (int)report["rejected"]![0]!["status"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await device.GetAsync($"/api/assets/{pole.Id}")).StatusCode); // a device reads nothing
    }
}
