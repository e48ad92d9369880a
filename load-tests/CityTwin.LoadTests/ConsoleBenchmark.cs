using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using Microsoft.Playwright;

namespace CityTwin.LoadTests;

/// <summary>
/// The operations-centre console in Debian's headless chromium (Microsoft.Playwright, no browser download) against the
/// Release silo + API with a generated city whose assets all fit one view: sign-in → every viewport point drawn, a
/// settled twin's reload (key in the tab) → drawn, the median of five, measured from navigation start (the Performance API clock); the frame time of
/// programmatic pans and zooms (requestAnimationFrame in the page) and the canvas redraw cost; a feed of telemetry
/// changes at a steady rate through the API, and the lag the page sees from each change's publication (and its
/// arrival) to the draw that shows it, the events that arrived against the readings the API applied, gaps, and the
/// longest main-thread task (Long Tasks API).
/// </summary>
public static class ConsoleBenchmark
{
    private const int Reloads = 5;
    public const string Chromium = "/usr/bin/chromium";

    public static async Task<List<string>> RunAsync(int assets, int moves, int rate, TimeSpan feedDuration, int faultPercent = 0, string? profile = null)
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing (apt-get install -y chromium)");
        var data = Directory.CreateTempSubdirectory("citytwin-console-").FullName;
        try
        {
            // The API serves the console from its content root's wwwroot: the source tree's (a build does not copy it).
            await using var twin = await Twin.StartAsync(data, [], [$"--contentRoot={Path.Combine(Twin.RepoRoot, "src", "CityTwin.Api")}"]);
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            var clock = Stopwatch.StartNew();
            await twin.ImportAsync(city.Assets);
            await WaitForReadModelAsync(twin.Http, assets);
            var lons = city.Assets.Select(a => a.Location.Lon).ToArray();
            var lats = city.Assets.Select(a => a.Location.Lat).ToArray();
            Console.WriteLine($"imported {assets:N0} assets in {clock.Elapsed.TotalSeconds:0} s; city {lons.Min():0.0000},{lats.Min():0.0000} – {lons.Max():0.0000},{lats.Max():0.0000}");
            // The figures are the console's on a steady twin, not on a silo still storing the import.
            Console.WriteLine($"twin settled (under a quarter of a core for 1 s) after {(await twin.QuietAsync(TimeSpan.FromSeconds(60))).TotalSeconds:0} s");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
            var page = await context.NewPageAsync();
            page.PageError += (_, e) => Console.Error.WriteLine($"page error: {e}");
            page.Console += (_, m) => { if (m.Type is "error") Console.Error.WriteLine($"browser: {m.Text}"); };

            // 1. Sign-in → every point in the viewport drawn.
            await page.GotoAsync(twin.Api.Url + "/");
            await page.Locator("#signin-key").FillAsync(twin.Admin.Key);
            await page.Locator("#signin-form button[type=submit]").ClickAsync();
            await page.WaitForFunctionAsync("() => window.__citytwin.ready === true", null, new() { Timeout = 300_000 });
            var mode = await page.EvaluateAsync<string>("window.__citytwin.mode");
            if (mode != "points") throw new InvalidOperationException($"the city does not fit one points view at this size (mode {mode}): use fewer assets or a larger viewport");
            var (expected, view) = await ExpectedAsync(page, city);
            var signIn = await FullyDrawnAsync(page, expected, "signInAt");
            var zoom = await page.EvaluateAsync<double>("window.__citytwin.leaflet.getZoom()");
            Console.WriteLine($"sign-in → {signIn.Drawn:N0} of {expected:N0} viewport points drawn: {signIn.Ms:0} ms (ready {signIn.ReadyMs:0} ms; zoom {zoom}, view {view})");

            // 2. Reloads with the key in the tab: navigation start (performance.now() = 0) → every point drawn. One reload
            // varies by a third from run to run on the shared 2 cores: the figure is the median of five.
            var reloads = new List<FullDraw>();
            async Task<int> ReloadAsync()
            {
                await page.ReloadAsync();
                await page.WaitForFunctionAsync("() => window.__citytwin.ready === true", null, new() { Timeout = 300_000 });
                return 0;
            }
            for (var i = 0; i < Reloads; i++)
            {
                await ReloadAsync();
                (expected, view) = await ExpectedAsync(page, city);
                reloads.Add(await FullyDrawnAsync(page, expected, null));
            }
            var reload = reloads.OrderBy(r => r.Ms).ElementAt(Reloads / 2);
            var reloadSpread = $"{reloads.Min(r => r.Ms) / 1000:0.00}–{reloads.Max(r => r.Ms) / 1000:0.00} s";
            Console.WriteLine($"{Reloads} reloads → {reload.Drawn:N0} of {expected:N0} drawn: median {reload.Ms:0} ms after navigation start (ready {reload.ReadyMs:0} ms); each: {string.Join(", ", reloads.Select(r => $"{r.Ms:0}"))} ms");
            if (profile is not null)
            {
                // Where the reload's time went: the requests it waited for (Resource Timing, ms from navigation start).
                var requests = await page.EvaluateAsync<string[]>("""
                    () => performance.getEntriesByType('resource').filter(e => e.responseEnd <= window.__citytwin.readyAt)
                      .map(e => `${e.startTime.toFixed(0).padStart(6)} → ${e.responseEnd.toFixed(0).padStart(6)} ms  ${e.name.replace(location.origin, '').slice(0, 100)}`)
                    """);
                Console.WriteLine($"the reload's requests until ready (start → response end, from navigation start):{Environment.NewLine}{string.Join(Environment.NewLine, requests)}");
                // A second reload under the profiler: what the main thread did between the requests.
                var (_, reloadSummary) = await BrowserProfile.RunAsync(page, profile, "console-reload", ReloadAsync);
                foreach (var line in reloadSummary) Console.WriteLine(line);
            }

            // 3. Pans and zooms, one per frame.
            await Task.Delay(1000);
            Console.WriteLine($"{moves} pans/zooms…");
            var pans = await page.EvaluateAsync<JsonElement>(PanScript, moves);
            var frames = pans.GetProperty("frames").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
            var draws = pans.GetProperty("draws").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
            var bases = pans.GetProperty("bases").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
            var panLongest = pans.GetProperty("longest").GetDouble();
            var panDrawn = pans.GetProperty("drawn").GetInt32();
            Console.WriteLine($"{moves} pans/zooms: frame p50 {P(frames, 50):0.0} p95 {P(frames, 95):0.0} max {frames[^1]:0.0} ms; redraw p50 {P(draws, 50):0.0} p95 {P(draws, 95):0.0} ms (streets and outlines p95 {P(bases, 95):0.0} ms); longest task {panLongest:0} ms; {panDrawn:N0} points drawn at the end");
            if (profile is not null)
            {
                // The same moves again under the profiler (its overhead stays out of the figures above).
                var (profiled, summary) = await BrowserProfile.RunAsync(page, profile, "console-pan", () => page.EvaluateAsync<JsonElement>(PanScript, moves));
                var f = profiled.GetProperty("frames").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
                Console.WriteLine($"profiled pass: frame p50 {P(f, 50):0.0} p95 {P(f, 95):0.0} ms");
                summary.ForEach(Console.WriteLine);
            }

            // 4. The feed: `rate` telemetry changes per second on poles in the view, for feedDuration.
            Console.WriteLine($"feed: {rate}/s for {feedDuration.TotalSeconds:0} s…");
            await page.EvaluateAsync("() => { const p = window.__citytwin; p.lag.on = false; p.lag.pending.length = 0; }");
            var box = await page.EvaluateAsync<double[]>("window.__citytwin.viewBox()");
            var poles = city.Assets.Where(a => a.Type == AssetType.Pole && Inside(a, box)).Select(a => a.Id).ToArray();
            var before = await page.EvaluateAsync<JsonElement>("() => ({ events: window.__citytwin.feed.events, gaps: window.__citytwin.feed.gaps, tasks: window.__citytwin.longTasks.length })");
            await page.EvaluateAsync("() => { const l = window.__citytwin.lag; l.published.length = 0; l.received.length = 0; l.changes = 0; l.on = true; }");
            var ((applied, sent, posted), feedProfile) = profile is null
                ? (await DriveAsync(twin.Http, poles, rate, feedDuration, faultPercent), [])
                : await BrowserProfile.RunAsync(page, profile, "console-feed", () => DriveAsync(twin.Http, poles, rate, feedDuration, faultPercent));
            feedProfile.ForEach(Console.WriteLine);
            await Task.Delay(5000); // stragglers
            var feed = await page.EvaluateAsync<JsonElement>($$"""
                () => { const p = window.__citytwin, l = p.lag; l.on = false;
                  const tasks = p.longTasks.slice({{before.GetProperty("tasks").GetInt32()}});
                  return { published: l.published, received: l.received, changes: l.changes, drawn: l.published.length, gaps: p.feed.gaps - {{before.GetProperty("gaps").GetInt32()}},
                           state: p.feed.state, longest: Math.max(0, ...tasks.map(t => t[1])), longTasks: tasks.length,
                           gapNotices: [...document.querySelectorAll('#notices p')].map(e => e.textContent).filter(t => t.includes('Gap in the live feed')) }; }
                """);
            var published = feed.GetProperty("published").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
            var received = feed.GetProperty("received").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
            var changes = feed.GetProperty("changes").GetInt32();
            var drawnChanges = feed.GetProperty("drawn").GetInt32();
            var gaps = feed.GetProperty("gaps").GetInt32();
            var feedLongest = feed.GetProperty("longest").GetDouble();
            var longTasks = feed.GetProperty("longTasks").GetInt32();
            foreach (var notice in feed.GetProperty("gapNotices").EnumerateArray()) Console.WriteLine($"page: {notice.GetString()}"); // what each gap was
            Console.WriteLine($"feed {rate}/s for {feedDuration.TotalSeconds:0} s on {poles.Length:N0} poles ({faultPercent}% with a lamp fault): {sent:N0} readings sent, {applied:N0} applied ({posted:0} /s); page saw {changes:N0} changes, drew {drawnChanges:N0}, {gaps} gaps; " +
                              $"published → drawn p50 {P(published, 50):0} p95 {P(published, 95):0} p99 {P(published, 99):0} max {Max(published):0} ms; received → drawn p95 {P(received, 95):0} ms; longest task {feedLongest:0} ms ({longTasks} long tasks)");

            var shot = Path.Combine(Path.GetTempPath(), "citytwin-console-benchmark.png");
            await page.ScreenshotAsync(new() { Path = shot });
            Console.WriteLine($"screenshot: {shot}");

            var where = $"{assets:N0}-asset generated city, all in one 1920×1080 view (zoom {zoom}), headless chromium on {Environment.ProcessorCount} cores shared with the silo and API";
            return
            [
                $"| Console first draw: sign-in → all **{signIn.Drawn:N0}** viewport points drawn ({where}) | **{signIn.Ms / 1000:0.00} s** (signed in and ready {signIn.ReadyMs / 1000:0.00} s; the rest is paging `bbox` 1,000 at a time) | — (the issue's ≤ 1.5 s is for the 10,000-asset city) |",
                $"| Console reload with the key in the tab: navigation start → all {reload.Drawn:N0} points drawn (Performance API), median of {Reloads} | **{reload.Ms / 1000:0.00} s** ({reloadSpread}) | {(assets <= 10_000 ? $"≤ 1.5 s {(reload.Ms <= 1500 ? "✅" : "❌")}" : "— (≤ 1.5 s for 10,000 assets)")} |",
                $"| Console pan/zoom with {panDrawn:N0} points in view: {moves} programmatic moves (pan 300 px, zoom ±0.5), one per frame | frame (move → the frame with the redraw, rAF) p50 {P(frames, 50):0} ms, **p95 {P(frames, 95):0} ms**, max {frames[^1]:0} ms; canvas redraw p95 {P(draws, 95):0.0} ms (points), {P(bases, 95):0.0} ms (streets, outlines); longest main-thread task {panLongest:0} ms | p95 ≤ 50 ms {(P(frames, 95) <= 50 ? "✅" : "❌")} |",
                $"| Console under a feed of {rate:N0} changes/s for {feedDuration.TotalSeconds:0} s (telemetry through the API on {poles.Length:N0} poles in view{(faultPercent > 0 ? $", {faultPercent}% of them a lamp fault: a new colour" : ", a new dimLevel each: no colour change")}) | published → drawn p50 {P(published, 50):0} ms, **p95 {P(published, 95):0} ms**, p99 {P(published, 99):0} ms, max {Max(published):0} ms (arrived → drawn p95 {P(received, 95):0} ms); **{applied:N0} readings applied, {changes:N0} changes delivered to the page, {drawnChanges:N0} drawn**, {gaps} gaps; **longest main-thread task {feedLongest:0} ms** ({longTasks} over 50 ms) | longest task ≤ 100 ms {(feedLongest <= 100 ? "✅" : "❌")}, none dropped {(gaps == 0 && changes >= applied && drawnChanges >= changes ? "✅" : "❌")} |",
            ];
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private const string PanScript = """
        async n => {
          const p = window.__citytwin, map = p.leaflet, raf = () => new Promise(r => requestAnimationFrame(r));
          const frames = [], draws = [], bases = [], before = p.longTasks.length;
          for (let i = 0; i < n; i++) {
            await raf();
            const t0 = performance.now(), k = i % 4;
            if (k === 0) map.panBy([300, 150], { animate: false });
            else if (k === 1) map.panBy([-300, -150], { animate: false });
            else if (k === 2) map.setZoom(map.getZoom() + 0.5, { animate: false });
            else map.setZoom(map.getZoom() - 0.5, { animate: false });
            await raf(); // the canvas redraw the move scheduled runs first in this frame
            frames.push(performance.now() - t0);
            draws.push(p.lastDrawMs);
            bases.push(p.lastBaseMs ?? 0); // 0: a console without the base canvas
          }
          await new Promise(r => setTimeout(r, 200));
          const tasks = p.longTasks.slice(before);
          return { frames, draws, bases, longest: Math.max(0, ...tasks.map(t => t[1])), drawn: p.drawn };
        }
        """;

    private static bool Inside(Asset a, double[] box) =>
        a.Location.Lon >= box[0] && a.Location.Lat >= box[1] && a.Location.Lon <= box[2] && a.Location.Lat <= box[3];

    private static async Task<(int Expected, string View)> ExpectedAsync(IPage page, GeneratedCity city)
    {
        var box = await page.EvaluateAsync<double[]>("window.__citytwin.viewBox()");
        return (city.Assets.Count(a => Inside(a, box)), string.Join(",", box.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture))));
    }

    private sealed record FullDraw(double Ms, double ReadyMs, int Drawn);

    /// <summary>Waits for every expected point drawn, then reads from the page's draw log when that first happened.</summary>
    private static async Task<FullDraw> FullyDrawnAsync(IPage page, int expected, string? from)
    {
        await page.WaitForFunctionAsync($"() => window.__citytwin.drawn >= {expected}", null, new() { Timeout = 600_000, PollingInterval = 100 });
        var r = await page.EvaluateAsync<JsonElement>($$"""
            () => { const p = window.__citytwin, log = p.drawLog, start = {{(from is null ? "0" : $"p.{from}")}};
              for (let i = 0; i < log.length; i += 3) if (log[i + 1] >= {{expected}}) return { at: log[i] - start, ready: p.readyAt - start, drawn: log[i + 1] };
              return { at: -1, ready: p.readyAt - start, drawn: p.drawn }; }
            """);
        return new FullDraw(r.GetProperty("at").GetDouble(), r.GetProperty("ready").GetDouble(), r.GetProperty("drawn").GetInt32());
    }

    /// <summary>
    /// Telemetry batches every 50 ms adding up to `rate` readings a second, each a new dimLevel on the next pole; of every
    /// hundred readings, <paramref name="faultPercent"/> also set or clear a lamp fault (faulted: a new colour on the map).
    /// </summary>
    private static async Task<(long Applied, long Sent, double PerSecond)> DriveAsync(HttpClient http, string[] poles, int rate, TimeSpan duration, int faultPercent)
    {
        const int tick = 50;
        var perBatch = Math.Max(1, rate * tick / 1000);
        var batches = (int)(duration.TotalMilliseconds / tick);
        long applied = 0, sent = 0;
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var next = 0;
        for (var b = 0; b < batches; b++)
        {
            var wait = TimeSpan.FromMilliseconds(b * tick) - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            var json = new StringBuilder("[");
            for (var i = 0; i < perBatch; i++, next++)
            {
                // A half percent no pole starts at, and a new one each round: every reading is a change.
                var level = 10 + (next / poles.Length) % 80;
                var fault = next % 100 < faultPercent ? $$""","lampFault":{{((next / poles.Length) % 2 == 0 ? "true" : "false")}}""" : "";
                json.Append(i == 0 ? "" : ",").Append($$"""{"id":"{{poles[next % poles.Length]}}","dimLevel":{{level}}.5{{fault}}}""");
            }
            json.Append(']');
            sent += perBatch;
            inFlight.Add(Task.Run(async () =>
            {
                using var response = await http.PostAsync("/api/telemetry", new StringContent(json.ToString(), Encoding.UTF8, "application/json"));
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode) { Console.Error.WriteLine($"telemetry: {(int)response.StatusCode} {body}"); return; }
                Interlocked.Add(ref applied, (long)JsonNode.Parse(body)!["applied"]!);
            }));
        }
        await Task.WhenAll(inFlight);
        return (applied, sent, sent / clock.Elapsed.TotalSeconds);
    }

    private static async Task WaitForReadModelAsync(HttpClient http, int assets)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            var stats = await http.GetFromJsonAsync<JsonNode>("/api/stats");
            if ((int?)stats?["city"]?["assets"] >= assets) return;
            await Task.Delay(1000);
        }
    }

    private static double P(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    private static double Max(double[] sorted) => sorted.Length == 0 ? double.NaN : sorted[^1];
}
