using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using Microsoft.Playwright;

namespace CityTwin.LoadTests;

/// <summary>
/// The README's pictures of the console (<c>docs/images/</c>), taken the way a user sees it: the Release silo + API
/// with a generated city, Debian's headless chromium signed in with the admin key. <c>console.png</c>: the city on the
/// map with a feeder off and a controller fault (their groups on the alarm board); <c>console-whatif.png</c>: the
/// what-if view after running the link-down example, baseline against variant; <c>console-sweep.png</c>: the same spec
/// swept over three demand levels and five seeds, its bands. Not a benchmark: it writes no results.
/// </summary>
public static class ReadmeScreenshots
{
    public static async Task RunAsync(int assets, string output)
    {
        if (!File.Exists(ConsoleBenchmark.Chromium)) throw new InvalidOperationException($"{ConsoleBenchmark.Chromium} is missing (apt-get install -y chromium)");
        Directory.CreateDirectory(output);
        var data = Directory.CreateTempSubdirectory("citytwin-screenshots-").FullName;
        try
        {
            await using var twin = await Twin.StartAsync(data, [], [$"--contentRoot={Path.Combine(Twin.RepoRoot, "src", "CityTwin.Api")}"]);
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            await twin.ImportAsync(city.Assets);
            var deadline = Stopwatch.StartNew();
            while ((int?)(await twin.Http.GetFromJsonAsync<JsonNode>("/api/stats"))?["city"]?["assets"] < assets && deadline.Elapsed < TimeSpan.FromMinutes(5))
                await Task.Delay(500);
            Console.WriteLine($"imported {assets:N0} assets");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ConsoleBenchmark.Chromium, Headless = true, Args = ["--no-sandbox"] });
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });
            var page = await context.NewPageAsync();
            page.PageError += (_, e) => Console.Error.WriteLine($"page error: {e}");
            await page.GotoAsync(twin.Api.Url + "/");
            await page.Locator("#signin-key").FillAsync(twin.Admin.Key);
            await page.Locator("#signin-form button[type=submit]").ClickAsync();
            await page.WaitForFunctionAsync("() => window.__citytwin.ready === true", null, new() { Timeout = 300_000 });

            // Something to see, small enough not to flood the feed: the middle feeder of the last district off (its poles go dark),
            // and a signal controller fault in the first district.
            var district = city.Assets[^1].District;
            var middle = city.Assets.Where(a => a.District == district).Average(a => a.Location.Lat);
            var feeder = city.Assets.Where(a => a.Dependencies.PowerFeederId is not null && a.District == district)
                .GroupBy(a => (a.District, Feeder: a.Dependencies.PowerFeederId!)).OrderBy(g => Math.Abs(g.Average(a => a.Location.Lat) - middle))
                .ThenBy(g => g.Key.Feeder, StringComparer.Ordinal).First().Key;
            (await twin.Http.PostAsJsonAsync($"/api/districts/{feeder.District}/power", new { on = false, feeder = feeder.Feeder })).EnsureSuccessStatusCode();
            var junction = city.Assets.Where(a => a.Type == AssetType.Intersection).OrderBy(a => a.Id, StringComparer.Ordinal).Skip(40).First();
            (await twin.Http.PostAsJsonAsync($"/api/intersections/{junction.Id}/controller", new { fault = true })).EnsureSuccessStatusCode();
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#alarms li.group').length >= 2", null, new() { Timeout = 30_000 });
            await Task.Delay(3000); // the KPI bar's debounced refresh, the last draws
            var city1 = Path.Combine(output, "console.png");
            await page.ScreenshotAsync(new() { Path = city1 });
            await ShrinkAsync(city1);

            // The what-if view: the link-down example, run and compared.
            await page.Locator("#whatif-toggle").ClickAsync();
            await page.WaitForFunctionAsync("() => Number(document.getElementById('whatif').dataset.examples) > 0", null, new() { Timeout = 30_000 });
            await page.Locator("#whatif-example").SelectOptionAsync("link-down-evening-peak");
            await page.Locator("#whatif-example-load").ClickAsync();
            await page.Locator("#whatif-run").ClickAsync();
            await page.WaitForFunctionAsync("() => !!document.getElementById('whatif-result').dataset.compared", null, new() { Timeout = 120_000 });
            await page.Locator("#whatif-show").ClickAsync();
            await page.EvaluateAsync("() => document.getElementById('whatif-status').scrollIntoView()");
            await Task.Delay(1500);
            var whatIf = Path.Combine(output, "console-whatif.png");
            await page.ScreenshotAsync(new() { Path = whatIf });
            await ShrinkAsync(whatIf);

            // The same spec swept: demand × 1.0, 1.2 and 1.4, five seeds each, its bands.
            await page.Locator("#whatif-clear").ClickAsync();
            await page.Locator("#sweep-seeds").FillAsync("5");
            await page.Locator("#sweep-range-parameter").FillAsync("demand.scale");
            await page.Locator("#sweep-range-from").FillAsync("1");
            await page.Locator("#sweep-range-to").FillAsync("1.4");
            await page.Locator("#sweep-range-step").FillAsync("0.2");
            await page.Locator("#sweep-run").ClickAsync();
            await page.WaitForFunctionAsync("() => !!document.getElementById('sweep-result').dataset.shown", null, new() { Timeout = 300_000 });
            await page.EvaluateAsync("() => document.getElementById('sweep').scrollIntoView()");
            await Task.Delay(1000);
            var sweep = Path.Combine(output, "console-sweep.png");
            await page.ScreenshotAsync(new() { Path = sweep });
            await ShrinkAsync(sweep);
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>With Debian's <c>pngquant</c> (apt-get install pngquant), a quarter of the size and no visible difference.</summary>
    private static async Task ShrinkAsync(string png)
    {
        var before = new FileInfo(png).Length;
        try
        {
            using var quant = Process.Start(new ProcessStartInfo("pngquant", ["--quality", "70-90", "--speed", "1", "--force", "--output", png, png]) { UseShellExecute = false })!;
            await quant.WaitForExitAsync();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine("pngquant is not installed: the PNG is left as chromium wrote it");
        }
        Console.WriteLine($"{png}: {before / 1024} KiB → {new FileInfo(png).Length / 1024} KiB");
    }
}
