using System.Globalization;
using static CityTwin.Console.Tests.ConsoleFixture;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using Microsoft.Playwright;

namespace CityTwin.Console.Tests;

/// <summary>The console as an operator and a viewer use it, in Debian's chromium, against a real silo and API.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(10);


    private Task<(IPage Page, List<string> Errors, HttpClient Http)> SignInAsync(string role) => fixture.SignInAsync(role, output);

    private Task<T> Eval<T>(IPage page, string expression) => page.EvaluateAsync<T>(expression);


    [BrowserFact]
    public async Task An_operator_sees_the_city_finds_opens_an_asset_cuts_a_link_and_watches_the_cascade_and_alarms_arrive_live()
    {
        RequireBrowser();
        var (page, errors, http) = await SignInAsync("operator");

        // Signed in as an operator: named with the role, incident buttons shown.
        Assert.Contains("operator", await page.Locator("#who").InnerTextAsync());
        await WaitForAsync(page, "() => document.getElementById('feed-state').dataset.state === 'live'", Live, "the live feed");

        // The map draws the seeded city's assets in the viewport (the first view fits the city), on one canvas.
        var total = fixture.City.Assets.Count;
        await WaitForAsync(page, $"() => window.__citytwin.drawn >= {total}", Live, "every asset drawn");
        Assert.Equal("points", await page.Locator("#map").GetAttributeAsync("data-mode"));
        Assert.Equal(0, await page.Locator(".leaflet-marker-icon").CountAsync()); // no DOM marker per asset
        // The streets: one segment per pair of neighbouring intersections, drawn from the export of the intersections.
        var streets = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection)
            .SelectMany(a => a.Dependencies.Neighbours.Select(n => string.CompareOrdinal(a.Id, n.IntersectionId) < 0 ? (a.Id, n.IntersectionId) : (n.IntersectionId, a.Id)))
            .Distinct().Count();
        Assert.True(streets > 0);
        await WaitForAsync(page, $"() => window.__citytwin.streets === {streets}", Live, "every street drawn");
        output.WriteLine($"drawn: {await Eval<int>(page, "window.__citytwin.drawn")} of {total}");

        // Find: typed filters narrow to the cameras, listed and highlighted.
        var cameras = fixture.City.Assets.Count(a => a.Type == AssetType.Camera);
        await page.Locator("#find-q").FillAsync("type=camera");
        await page.Locator("#find-q").PressAsync("Enter");
        await WaitForAsync(page, $"() => document.getElementById('find-summary').dataset.count === '{cameras}'", Live, "the camera search");
        Assert.Equal(Math.Min(cameras, 200), await page.Locator("#find-results li button").CountAsync());

        // A link with cameras behind it: search it by id, which opens its panel.
        var link = fixture.City.Assets.Where(a => a.Type == AssetType.Link)
            .OrderByDescending(l => fixture.City.Assets.Count(a => a.Type == AssetType.Camera && a.Dependencies.BackhaulLinkId == l.Id)).First();
        var behind = fixture.City.Assets.Where(a => a.Type == AssetType.Camera && a.Dependencies.BackhaulLinkId == link.Id).Select(a => a.Id).ToArray();
        Assert.NotEmpty(behind);
        await page.Locator("#find-q").FillAsync(link.Id);
        await page.Locator("#find-q").PressAsync("Enter");
        await WaitForAsync(page, $"() => document.getElementById('panel').dataset.asset === '{link.Id}' && !!document.querySelector('#panel [data-action=\"Link down\"]')", Live, "the link's panel");
        Assert.Contains("Dependents", await page.Locator("#panel").InnerTextAsync());
        var ids = System.Text.Json.JsonSerializer.Serialize(behind);
        Assert.Equal(behind.Length, await Eval<int>(page, $"window.__citytwin.statusCounts({ids}).operational ?? 0"));
        var alarmsBefore = await Eval<int>(page, "window.__citytwin.alarms");

        // Cut it: a confirmation first (cancel changes nothing), then confirm.
        await page.Locator("#panel [data-action=\"Link down\"]").ClickAsync();
        Assert.True(await page.Locator("#confirm").IsVisibleAsync());
        await page.Keyboard.PressAsync("Escape");
        Assert.False(await page.Locator("#confirm").IsVisibleAsync());
        await page.Locator("#panel [data-action=\"Link down\"]").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        var cut = DateTime.UtcNow;

        // The feed turns the cameras behind it offline on the map, and alarms arrive on the board — without reload.
        await WaitForAsync(page, $"() => (window.__citytwin.statusCounts({ids}).offline ?? 0) === {behind.Length}", Live, "the cameras behind the link going offline");
        output.WriteLine($"cameras offline on the map {(DateTime.UtcNow - cut).TotalMilliseconds:0} ms after the confirmation");
        // The board groups by root cause by default: the link's group arrives; the flat list shows the alarms one by one.
        await WaitForAsync(page, $"() => window.__citytwin.alarms > {alarmsBefore} && document.querySelectorAll('#alarms li.group[data-root=\"{link.Id}\"]').length === 1", Live, "the link's group on the board");
        await page.Locator("#alarm-view-flat").ClickAsync();
        await WaitForAsync(page, "() => window.__citytwin.board.view === 'flat' && document.querySelectorAll('#alarms [data-alarm]').length > 0", Live, "alarms on the flat board");
        await WaitForAsync(page, $"() => document.getElementById('panel').dataset.status !== 'operational'", Live, "the link's panel following");
        Assert.Equal(0, await Eval<int>(page, "window.__citytwin.feed.gaps"));

        // Acknowledge one alarm from the board, with a note; the API shows it acknowledged.
        var row = page.Locator("#alarms [data-alarm]").Filter(new() { Has = page.Locator("button.ack") }).First;
        var alarmId = await row.GetAttributeAsync("data-alarm");
        await row.Locator("button.ack").ClickAsync();
        await page.Locator("#confirm-note").FillAsync("crew dispatched (console test)");
        await page.Locator("#confirm-ok").ClickAsync();
        await WaitForAsync(page, $"() => document.querySelector('#alarms [data-alarm=\"{alarmId}\"]')?.classList.contains('acked')", Live, "the alarm shown acknowledged");
        var alarms = await http.GetFromJsonAsync<JsonObject>("/api/alarms?active=true&limit=1000");
        var acked = alarms!["alarms"]!.AsArray().Single(a => (string?)a!["id"] == alarmId)!;
        Assert.Equal("crew dispatched (console test)", (string?)acked["note"]);

        await ConsoleFixture.ScreenshotAsync(page, "operator-link-cut");
        Assert.Empty(errors);

        // Back up, for the other tests.
        (await fixture.Twin.Http.PostAsJsonAsync($"/api/links/{link.Id}/status", new { condition = "up" })).EnsureSuccessStatusCode();
        await WaitForAsync(page, $"() => (window.__citytwin.statusCounts({ids}).operational ?? 0) === {behind.Length}", Live, "the cameras back");
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task A_link_cut_is_one_group_on_the_board_counted_as_the_flat_list_counts_it_acknowledged_and_shelved_as_one()
    {
        RequireBrowser();
        var (page, errors, http) = await SignInAsync("operator");
        await WaitForAsync(page, "() => document.getElementById('feed-state').dataset.state === 'live' && window.__citytwin.board.view === 'root'", Live, "the live feed and the grouped board");

        // Another link than the first test's: the one with the second most assets behind it.
        var link = fixture.City.Assets.Where(a => a.Type == AssetType.Link)
            .OrderByDescending(l => fixture.City.Assets.Count(a => a.Dependencies.BackhaulLinkId == l.Id)).ThenBy(l => l.Id, StringComparer.Ordinal).Skip(1).First();
        (await http.PostAsJsonAsync($"/api/links/{link.Id}/status", new { condition = "down" })).EnsureSuccessStatusCode();
        var group = $"#alarms li.group[data-root=\"{link.Id}\"]";

        // The oracle, from the API: the flat list's active consequential alarms of that root (root = the link, not the
        // link's own alarm). The console's group must show the same count once the cascade settled, and be the only one.
        async Task<(int Consequences, string? RootAlarm)> FlatAsync()
        {
            var flat = await http.GetFromJsonAsync<JsonObject>("/api/alarms?active=true&limit=1000");
            var mine = flat!["alarms"]!.AsArray().Where(a => (string?)a!["root"] == link.Id).ToList();
            return (mine.Count(a => (string?)a!["assetId"] != link.Id), (string?)mine.FirstOrDefault(a => (string?)a!["assetId"] == link.Id)?["id"]);
        }
        var settled = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        (int Consequences, string? RootAlarm) oracle = default;
        int shown = -1, stable = 0;
        while (DateTime.UtcNow < settled && stable < 3)
        {
            await Task.Delay(500);
            var now = await FlatAsync();
            shown = await Eval<int>(page, $"(() => {{ const rows = document.querySelectorAll('{group.Replace("'", "\\'")}'); return rows.length === 1 ? Number(rows[0].dataset.members) : -rows.length; }})()");
            stable = now == oracle && now.Consequences > 0 && shown == now.Consequences ? stable + 1 : 0;
            oracle = now;
        }
        output.WriteLine($"link {link.Id}: flat list {oracle.Consequences} consequential alarms (root alarm {oracle.RootAlarm}); the console's group shows {shown}");
        Assert.True(oracle.Consequences > 0, "the link cut raised no consequential alarm");
        Assert.Equal(1, await page.Locator(group).CountAsync());
        Assert.Equal(oracle.Consequences, shown);
        var apiGroup = (await http.GetFromJsonAsync<JsonObject>("/api/alarms?group=root&active=true&limit=1000"))!["groups"]!.AsArray().Single(g => (string?)g!["root"] == link.Id)!;
        Assert.Equal(oracle.Consequences, (int)apiGroup["members"]!);

        // Its members, paged from the members endpoint.
        await page.Locator($"{group} button.expand").ClickAsync();
        await WaitForAsync(page, $"() => document.querySelector('{group.Replace("'", "\\'")} .members')?.dataset.loaded === '{Math.Min(50, oracle.Consequences)}'", Live, "the group's first page of members");

        // Acknowledge the group from the console, with a note: every member (and the root's alarm) acknowledged.
        await page.Locator($"{group} button.ack-group").ClickAsync();
        await page.Locator("#confirm-note").FillAsync("link cut: satellite operator called (console test)");
        await page.Locator("#confirm-ok").ClickAsync();
        await WaitForAsync(page, $"() => document.querySelector('{group.Replace("'", "\\'")}')?.classList.contains('acked')", Live, "the group shown acknowledged");
        var members = await http.GetFromJsonAsync<JsonObject>($"/api/alarms/groups/{link.Id}/members?active=true&limit=1000");
        var alarms = members!["alarms"]!.AsArray();
        Assert.Equal(oracle.Consequences, alarms.Count);
        Assert.All(alarms, a => Assert.NotNull((string?)a!["acknowledgedAt"]));
        Assert.All(alarms, a => Assert.Equal("link cut: satellite operator called (console test)", (string?)a!["note"]));
        if (oracle.RootAlarm is not null)
        {
            var flat = await http.GetFromJsonAsync<JsonObject>("/api/alarms?active=true&limit=1000");
            Assert.NotNull((string?)flat!["alarms"]!.AsArray().Single(a => (string?)a!["id"] == oracle.RootAlarm)!["acknowledgedAt"]);
        }

        // Shelve the group for 1 h: off the board, on the shelf (API); unshelve it from the shelved view: back.
        await page.Locator($"{group} select.shelf-hours").SelectOptionAsync("1");
        await page.Locator($"{group} button.shelve").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await WaitForAsync(page, $"() => document.querySelectorAll('{group.Replace("'", "\\'")}').length === 0", Live, "the shelved group off the board");
        var shelf = await http.GetFromJsonAsync<JsonObject>("/api/alarms?group=root&shelved=true&limit=1000");
        var onShelf = shelf!["groups"]!.AsArray().Single(g => (string?)g!["root"] == link.Id)!;
        var until = DateTimeOffset.Parse((string)onShelf["shelved"]!["until"]!);
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        await page.Locator("#alarm-view-shelved").ClickAsync();
        await WaitForAsync(page, $"() => !!document.querySelector('{group.Replace("'", "\\'")} button.unshelve')", Live, "the group on the shelf");
        await page.Locator($"{group} button.unshelve").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await page.Locator("#alarm-view-shelved").ClickAsync();
        await WaitForAsync(page, $"() => window.__citytwin.board.shelved === false && document.querySelectorAll('{group.Replace("'", "\\'")}').length === 1", Live, "the group back on the board");

        await ConsoleFixture.ScreenshotAsync(page, "operator-alarm-group");
        Assert.Empty(errors);
        (await fixture.Twin.Http.PostAsJsonAsync($"/api/links/{link.Id}/status", new { condition = "up" })).EnsureSuccessStatusCode();
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task A_viewer_sees_the_city_and_its_alarms_but_no_incident_buttons()
    {
        RequireBrowser();
        var (page, errors, _) = await SignInAsync("viewer");
        Assert.Contains("viewer", await page.Locator("#who").InnerTextAsync());
        await WaitForAsync(page, "() => window.__citytwin.drawn > 0", Live, "assets drawn");

        var link = fixture.City.Assets.First(a => a.Type == AssetType.Link).Id;
        await page.Locator("#find-q").FillAsync(link);
        await page.Locator("#find-q").PressAsync("Enter");
        await WaitForAsync(page, $"() => document.getElementById('panel').dataset.asset === '{link}' && document.querySelector('#panel h2 + p, #panel table') !== null", Live, "the link's panel");
        await WaitForAsync(page, "() => document.querySelector('#panel table') !== null", Live, "the link's state");
        Assert.Equal(0, await page.Locator("#panel [data-action]").CountAsync());
        Assert.Equal(0, await page.Locator("#districts [data-action]").CountAsync());
        Assert.Equal(0, await page.Locator("#alarms button.ack").CountAsync());
        Assert.Equal(0, await page.Locator("#alarms button.ack-group, #alarms button.shelve, #alarms button.unshelve").CountAsync());
        Assert.Equal("root", await Eval<string>(page, "window.__citytwin.board.view"));
        Assert.False(await page.Locator("body.can-operate").IsVisibleAsync());

        await ConsoleFixture.ScreenshotAsync(page, "viewer");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task Zoomed_in_the_map_loads_what_the_view_needs_a_pan_elsewhere_loads_and_draws_it_and_a_pan_back_asks_nothing()
    {
        RequireBrowser();
        // Two places 1–2 km apart: the assets nearest the city's south-west and north-east corners.
        var assets = fixture.City.Assets;
        var (south, west, north, east) = (assets.Min(x => x.Location.Lat), assets.Min(x => x.Location.Lon), assets.Max(x => x.Location.Lat), assets.Max(x => x.Location.Lon));
        static string Nearest(IEnumerable<Asset> all, double lat, double lon) => all.MinBy(x => Math.Pow(x.Location.Lat - lat, 2) + Math.Pow(x.Location.Lon - lon, 2))!.Id;
        var (inA, inB) = (Nearest(assets, south, west), Nearest(assets, north, east));
        var a = assets.Single(x => x.Id == inA).Location;
        var b = assets.Single(x => x.Id == inB).Location;
        string At(GeoPoint p) => $"{p.Lat.ToString(CultureInfo.InvariantCulture)}, {p.Lon.ToString(CultureInfo.InvariantCulture)}";

        // Opened on a shared link zoomed in on A (a view of about 300 × 200 m): A is loaded, B is not asked for.
        var (page, errors, _) = await SignInAsync("viewer");
        await page.GotoAsync($"{fixture.BaseUrl}/#map=19/{a.Lat.ToString(CultureInfo.InvariantCulture)}/{a.Lon.ToString(CultureInfo.InvariantCulture)}");
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => window.__citytwin && window.__citytwin.ready === true", null, new() { Timeout = 30_000 });
        Assert.Equal("points", await Eval<string>(page, "window.__citytwin.mode"));
        Assert.NotNull(await Eval<object?>(page, $"window.__citytwin.asset('{inA}')"));
        Assert.Null(await Eval<object?>(page, $"window.__citytwin.asset('{inB}')"));
        var loaded = await Eval<int>(page, "window.__citytwin.loadedAssets");
        Assert.InRange(loaded, 1, assets.Count - 1);
        output.WriteLine($"zoomed in on {inA}: {loaded} of {assets.Count} assets loaded");

        // A pan to B loads it and draws it.
        var loads = await Eval<int>(page, "window.__citytwin.loads");
        await page.EvaluateAsync($"() => window.__citytwin.leaflet.setView([{At(b)}], 19, {{ animate: false }})");
        await WaitForAsync(page, $"() => window.__citytwin.asset('{inB}') !== null && window.__citytwin.drawn > 0", Live, "B's assets loaded");
        Assert.True(await Eval<int>(page, "window.__citytwin.loads") > loads);

        // Back to A, and around it: everything there is loaded, so nothing is asked again.
        loads = await Eval<int>(page, "window.__citytwin.loads");
        await page.EvaluateAsync($"() => window.__citytwin.leaflet.setView([{At(a)}], 19, {{ animate: false }})");
        await page.EvaluateAsync("() => window.__citytwin.leaflet.panBy([40, 30], { animate: false })");
        await page.WaitForTimeoutAsync(500);
        Assert.Equal(loads, await Eval<int>(page, "window.__citytwin.loads"));
        Assert.NotNull(await Eval<object?>(page, $"window.__citytwin.asset('{inA}')"));

        await ConsoleFixture.ScreenshotAsync(page, "viewport-loads");
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task A_wrong_key_is_refused_at_sign_in_and_sign_out_forgets_the_key()
    {
        RequireBrowser();
        var (page, errors) = await fixture.NewPageAsync(output);
        await page.GotoAsync(fixture.BaseUrl + "/");
        await page.Locator("#signin-key").FillAsync("ctk_not-a-real-key");
        await page.Locator("#signin-form button[type=submit]").ClickAsync();
        await WaitForAsync(page, "() => document.getElementById('signin-error').textContent.length > 0", Live, "the sign-in error");
        Assert.Contains("not valid", await page.Locator("#signin-error").InnerTextAsync());
        Assert.True(await page.Locator("#app").IsHiddenAsync());
        Assert.Null(await Eval<string?>(page, "sessionStorage.getItem('citytwin.key')"));
        await page.Context.CloseAsync();

        var (signedIn, moreErrors, _) = await SignInAsync("viewer");
        Assert.NotNull(await Eval<string?>(signedIn, "sessionStorage.getItem('citytwin.key')"));
        await signedIn.Locator("#signout").ClickAsync();
        await WaitForAsync(signedIn, "() => !document.getElementById('signin').hidden", Live, "the sign-in form again");
        Assert.Null(await Eval<string?>(signedIn, "sessionStorage.getItem('citytwin.key')"));
        Assert.Empty(errors);
        Assert.Empty(moreErrors);
        await signedIn.Context.CloseAsync();
    }

    [BrowserFact]
    public async Task The_console_is_served_at_the_root_with_its_vendored_libraries_and_a_content_security_policy()
    {
        RequireBrowser();
        using var http = fixture.Twin.Client();
        using var index = await http.GetAsync("/");
        index.EnsureSuccessStatusCode();
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(' ', index.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("connect-src 'self'", csp);
        foreach (var path in new[] { "/vendor/leaflet/leaflet.js", "/vendor/uplot/uPlot.iife.min.js", "/console/main.js", "/vendor/leaflet/LICENSE.txt", "/vendor/uplot/LICENSE.txt" })
        {
            using var file = await http.GetAsync(path);
            Assert.True(file.IsSuccessStatusCode, $"{path}: {(int)file.StatusCode}");
        }
        // The data stays behind the key.
        using var data = await http.GetAsync("/api/stats");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, data.StatusCode);
    }
}
