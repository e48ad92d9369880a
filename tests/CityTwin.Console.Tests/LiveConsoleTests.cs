using static CityTwin.Console.Tests.ConsoleFixture;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.LoadTests;
using Microsoft.Playwright;

namespace CityTwin.Console.Tests;

/// <summary>
/// The console's live parts and shared views, in Debian's chromium against the fixture's silo and API: the feed comes
/// back after the API restarts, a URL restores a view, the KPI sparklines draw the last hour, the filters form finds.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class LiveConsoleTests(ConsoleFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IPage> _pages = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Every page this test opened is closed, failed or not (a page left open would log into the next test).</summary>
    public async Task DisposeAsync()
    {
        foreach (var page in _pages) await page.Context.CloseAsync();
    }

    private static readonly TimeSpan Live = TimeSpan.FromSeconds(15);


    private async Task<string> KeyAsync(string role)
    {
        var (http, _) = await fixture.Twin.ClientAsAsync(role);
        return http.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    /// <summary>Opens <paramref name="url"/> in a fresh context (its own sessionStorage), signs in with the key, waits for ready.</summary>
    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string key, string? url = null)
    {
        var (page, errors) = await fixture.NewPageAsync(output);
        _pages.Add(page);
        await page.GotoAsync(url ?? fixture.BaseUrl + "/");
        await page.Locator("#signin-key").FillAsync(key);
        await page.Locator("#signin-form button[type=submit]").ClickAsync();
        await WaitForAsync(page, "() => window.__citytwin && window.__citytwin.ready === true", TimeSpan.FromSeconds(30), "the console ready");
        return (page, errors);
    }


    private HttpClient Fresh(string key)
    {
        // A new client each time: a restart closed the connections the fixture's clients had pooled.
        var http = fixture.Twin.Client();
        http.DefaultRequestHeaders.Authorization = AdminKey.Header(key);
        return http;
    }

    [BrowserFact]
    public async Task The_feed_reconnects_after_the_api_restarts_and_a_later_change_reaches_the_map_without_a_reload()
    {
        RequireBrowser();
        var key = await KeyAsync("operator");
        var (page, errors) = await OpenAsync(key);
        await WaitForAsync(page, "() => document.getElementById('feed-state').dataset.state === 'live'", Live, "the live feed");
        await WaitForAsync(page, $"() => window.__citytwin.drawn >= {fixture.City.Assets.Count}", Live, "every asset drawn");
        // Every state the badge shows from now on, and a mark a reload would wipe.
        await page.EvaluateAsync("""
            () => { window.__notReloaded = true; const badge = document.getElementById('feed-state'); window.__states = [badge.dataset.state];
                    new MutationObserver(() => { if (window.__states.at(-1) !== badge.dataset.state) window.__states.push(badge.dataset.state); })
                      .observe(badge, { attributes: true, attributeFilter: ['data-state'] }); }
            """);
        var connects = await page.EvaluateAsync<int>("window.__citytwin.feed.connects");

        // The API process goes away for 2 s and comes back on the same address.
        await fixture.Twin.RestartApiAsync(TimeSpan.FromSeconds(2));
        await WaitForAsync(page, $"() => window.__citytwin.feed.connects > {connects} && document.getElementById('feed-state').dataset.state === 'live'", TimeSpan.FromSeconds(45), "the feed live again");
        var states = await page.EvaluateAsync<string[]>("window.__states");
        output.WriteLine($"badge: {string.Join(" → ", states)}");
        Assert.Equal("live", states[0]);
        var reconnecting = Array.IndexOf(states, "reconnecting");
        Assert.True(reconnecting > 0, $"the badge never said reconnecting: {string.Join(" → ", states)}");
        Assert.Equal("live", states[^1]);
        Assert.Contains("live", states[reconnecting..]);

        // A change made after the restart: a pole set to maintenance reaches the map through the feed, no reload, no re-read.
        await Task.Delay(1000); // whatever the reconnection re-read (a gap: the new process has a new feed) has settled
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole);
        var before = await page.EvaluateAsync<JsonElement>("() => ({ events: window.__citytwin.feed.events, loads: window.__citytwin.loads })");
        Assert.Equal("operational", await page.EvaluateAsync<string>($"window.__citytwin.asset('{pole.Id}').status"));
        using var http = Fresh(key);
        try
        {
            (await http.PostAsJsonAsync($"/api/assets/{pole.Id}/status", new { status = "maintenance" })).EnsureSuccessStatusCode();
            await WaitForAsync(page, $"() => window.__citytwin.asset('{pole.Id}').status === 'maintenance'", Live, "the pole in maintenance on the map");
            Assert.True(await page.EvaluateAsync<bool>("window.__notReloaded === true"));
            var after = await page.EvaluateAsync<JsonElement>("() => ({ events: window.__citytwin.feed.events, loads: window.__citytwin.loads })");
            Assert.True(after.GetProperty("events").GetInt32() > before.GetProperty("events").GetInt32(), "no feed event arrived");
            Assert.Equal(before.GetProperty("loads").GetInt32(), after.GetProperty("loads").GetInt32()); // the map was not re-read: the feed brought it
            await ConsoleFixture.ScreenshotAsync(page, "feed-back-after-api-restart");
        }
        finally
        {
            (await http.PostAsJsonAsync($"/api/assets/{pole.Id}/status", new { status = "operational" })).EnsureSuccessStatusCode();
        }
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task A_copied_url_restores_the_view_find_asset_large_type_board_and_kpi_scope_and_keys_work()
    {
        RequireBrowser();
        var key = await KeyAsync("viewer");
        var (page, errors) = await OpenAsync(key);
        var pole = fixture.City.Assets.Where(a => a.Type == AssetType.Pole).OrderBy(a => a.Id, StringComparer.Ordinal).Skip(3).First();
        var cameras = fixture.City.Assets.Count(a => a.Type == AssetType.Camera);
        var district = fixture.City.Districts[0];

        // A view: the cameras found, a pole's panel open, zoomed in near it, large type, the flat board, one district's KPIs.
        await page.Locator("#find-q").FillAsync("type=camera");
        await page.Locator("#find-q").PressAsync("Enter");
        await WaitForAsync(page, $"() => document.getElementById('find-summary').dataset.count === '{cameras}'", Live, "the camera search");
        await page.EvaluateAsync($"() => window.__citytwin.leaflet.setView([{pole.Location.Lat.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {pole.Location.Lon.ToString(System.Globalization.CultureInfo.InvariantCulture)}], 16.5)");
        await page.Locator("#find-q").FillAsync(pole.Id);
        await page.Locator("#find-q").PressAsync("Enter");
        await WaitForAsync(page, $"() => document.getElementById('panel').dataset.asset === '{pole.Id}'", Live, "the pole's panel");
        await page.Locator("#find-q").FillAsync("type=camera"); // the find the link keeps is the last one run
        await page.Locator("#find-q").PressAsync("Enter");
        await WaitForAsync(page, $"() => document.getElementById('find-summary').dataset.count === '{cameras}'", Live, "the camera search again");
        await page.Locator("#large").ClickAsync();
        await page.Locator("#alarm-view-flat").ClickAsync();
        await page.Locator("#kpi-district").SelectOptionAsync(district);
        await WaitForAsync(page, $"() => window.__citytwin.sparklines.district === '{district}' && window.__citytwin.board.view === 'flat'", Live, "the district's KPIs and the flat board");
        var view = await page.EvaluateAsync<JsonElement>("() => { const m = window.__citytwin.leaflet, c = m.getCenter(); return { zoom: m.getZoom(), lat: c.lat, lon: c.lng }; }");
        var url = page.Url;
        output.WriteLine($"shared: {url}");
        Assert.Contains("#", url);
        Assert.DoesNotContain(key, url); // never the key
        await ConsoleFixture.ScreenshotAsync(page, "url-state-before");

        // Another browser (no session) opens the link, signs in, and sees the same view.
        var (other, otherErrors) = await OpenAsync(key, url);
        await WaitForAsync(other, $"() => document.getElementById('panel').dataset.asset === '{pole.Id}' && document.getElementById('find-summary').dataset.count === '{cameras}'", Live, "the restored panel and find");
        var restored = await other.EvaluateAsync<JsonElement>("() => { const m = window.__citytwin.leaflet, c = m.getCenter(); return { zoom: m.getZoom(), lat: c.lat, lon: c.lng }; }");
        Assert.Equal(view.GetProperty("zoom").GetDouble(), restored.GetProperty("zoom").GetDouble());
        Assert.Equal(view.GetProperty("lat").GetDouble(), restored.GetProperty("lat").GetDouble(), 4);
        Assert.Equal(view.GetProperty("lon").GetDouble(), restored.GetProperty("lon").GetDouble(), 4);
        Assert.Equal("type=camera", await other.Locator("#find-q").InputValueAsync());
        Assert.True(await other.EvaluateAsync<bool>("window.__citytwin.large"));
        Assert.Equal("true", await other.Locator("#large").GetAttributeAsync("aria-pressed"));
        await WaitForAsync(other, $"() => window.__citytwin.board.view === 'flat' && window.__citytwin.sparklines.district === '{district}' && document.getElementById('kpi-district').value === '{district}'", Live, "the restored board and KPI scope");
        Assert.Equal(new Uri(url).Fragment, new Uri(other.Url).Fragment);
        // Large type draws bigger markers: the points are drawn at 1.75 × their radius.
        Assert.Equal(1.75, await other.EvaluateAsync<double>("window.__citytwin.markerScale"));
        await ConsoleFixture.ScreenshotAsync(other, "url-state-restored");

        // Keys: Escape closes the panel (and the link forgets the asset), / focuses find, Alt+L leaves large type.
        await other.Locator("#signout").FocusAsync();
        await other.Keyboard.PressAsync("Escape");
        await WaitForAsync(other, "() => document.getElementById('panel').hidden && !location.hash.includes('asset=')", Live, "the panel closed by Escape");
        await other.Locator("#large").FocusAsync();
        await other.Keyboard.PressAsync("/");
        Assert.Equal("find-q", await other.EvaluateAsync<string>("document.activeElement.id"));
        await other.Keyboard.PressAsync("Alt+L");
        await WaitForAsync(other, "() => !document.body.classList.contains('large') && !location.hash.includes('large=')", Live, "large type off by Alt+L");

        Assert.Empty(errors);
        Assert.Empty(otherErrors);
    }

    [BrowserFact]
    public async Task The_kpi_bar_draws_sparklines_of_the_last_hour_for_the_city_and_a_district()
    {
        RequireBrowser();
        var key = await KeyAsync("viewer");
        // The API has sampled since the fixture started: its history is what the bar starts from.
        using var http = Fresh(key);
        var history = (await http.GetFromJsonAsync<JsonObject>("/api/stats/history"))!["points"]!.AsArray();
        Assert.NotEmpty(history);
        var (page, errors) = await OpenAsync(key);

        string[] charted = ["powerDrawKw", "congestionIndex", "offlineRatio", "camerasWithoutFeed", "linksDown"];
        await WaitForAsync(page, $"() => {{ const s = window.__citytwin.sparklines; return s && s.loads >= 1 && s.charts.length === {charted.Length} && s.charts.every(c => c.canvas && c.points >= 2); }}", Live, "five sparklines with points");
        var sparks = (await page.EvaluateAsync<JsonElement>("() => window.__citytwin.sparklines.charts")).EnumerateArray().ToArray();
        Assert.Equal(charted, sparks.Select(s => s.GetProperty("kpi").GetString()));
        Assert.All(sparks, s => Assert.True(s.GetProperty("points").GetInt32() >= history.Count, $"{s.GetProperty("kpi")}: {s.GetProperty("points")} points, the API had {history.Count}"));
        // Each sparkline's canvas has its line: pixels drawn, not a blank canvas.
        var inked = await page.EvaluateAsync<int[]>("""
            () => [...document.querySelectorAll('#kpis .spark canvas')].map(c => {
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
              for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })
            """);
        Assert.Equal(charted.Length, inked.Length);
        Assert.All(inked, n => Assert.True(n > 10, $"a sparkline canvas with {n} drawn pixels"));
        // The numbers beside them are the city's stats.
        var city = (await http.GetFromJsonAsync<JsonObject>("/api/stats"))!["city"]!;
        Assert.Equal(((int)city["linksDown"]!).ToString(), await page.Locator("#kpis [data-kpi=linksDown] b").InnerTextAsync());
        Assert.Equal(((int)city["assets"]!).ToString(), string.Concat((await page.Locator("#kpis [data-kpi=assets] b").InnerTextAsync()).Where(char.IsDigit))); // the browser's digit grouping aside

        // One district's: its history read, its figures shown.
        var district = fixture.City.Districts[0];
        var loads = await page.EvaluateAsync<int>("window.__citytwin.sparklines.loads");
        await page.Locator("#kpi-district").SelectOptionAsync(district);
        await WaitForAsync(page, $"() => {{ const s = window.__citytwin.sparklines; return s.loads > {loads} && s.district === '{district}' && s.charts.every(c => c.points >= 1); }}", Live, "the district's sparklines");
        Assert.Contains($"kpi={district}", page.Url);
        await ConsoleFixture.ScreenshotAsync(page, "kpi-sparklines");
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task The_filters_form_builds_the_query_text_and_finds_what_typing_it_finds()
    {
        RequireBrowser();
        var key = await KeyAsync("viewer");
        var (page, errors) = await OpenAsync(key);
        using var http = Fresh(key);
        var oracle = (await http.GetFromJsonAsync<JsonObject>("/api/assets?type=pole&status=operational&dimLevel%3E%3D0&limit=1000"))!["items"]!.AsArray().Count;
        Assert.True(oracle > 0);

        await page.Locator("#find-filters summary").ClickAsync();
        await page.Locator("#ff-type").SelectOptionAsync("pole");
        await page.Locator("#ff-status").SelectOptionAsync("operational");
        await page.Locator("#ff-attribute").FillAsync("dimLevel");
        await page.Locator("#ff-op").SelectOptionAsync(">=");
        await page.Locator("#ff-value").FillAsync("0");
        await page.Locator("#ff-apply").ClickAsync();
        Assert.Equal("type=pole status=operational dimLevel>=0", await page.Locator("#find-q").InputValueAsync());
        await WaitForAsync(page, $"() => document.getElementById('find-summary').dataset.count === '{oracle}'", Live, "the form's search");
        // The attribute list follows the type; a half-filled comparison is refused, naming what is missing.
        Assert.Contains("dimLevel", await page.Locator("#ff-attributes").InnerHTMLAsync());
        await page.Locator("#ff-value").FillAsync("");
        await page.Locator("#ff-apply").ClickAsync();
        Assert.Contains("dimLevel", await page.Locator("#find-error").InnerTextAsync());
        await ConsoleFixture.ScreenshotAsync(page, "find-filters");
        Assert.Empty(errors);
    }
}
