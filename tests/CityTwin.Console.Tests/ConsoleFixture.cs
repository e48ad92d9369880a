using CityTwin.Domain.City;
using CityTwin.Domain.GeoJson;
using Microsoft.Playwright;

namespace CityTwin.Console.Tests;

/// <summary>
/// A real silo + API on a temporary SQLite file, loaded with a small generated city through the API, and Debian's
/// chromium driven by Playwright. Without chromium the fixture starts nothing and says why (<see cref="Missing"/>).
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 7 });
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl => Twin.Client().BaseAddress!.ToString().TrimEnd('/');

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public static string? Missing => File.Exists(Chromium) ? null : $"{Chromium} is missing (apt-get install -y chromium)";

    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";

    public async Task InitializeAsync()
    {
        if (Missing is not null) return;
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite());
        using var body = new MemoryStream();
        await GeoJsonWriter.WriteAsync(body, City.Assets, CancellationToken.None);
        var response = await Twin.Http.PostAsync("/api/import", new ByteArrayContent(body.ToArray()) { Headers = { ContentType = new("application/geo+json") } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    /// <summary>A fresh browser context (its own sessionStorage) and page, the console's page errors collected.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(ITestOutputHelper output)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") output.WriteLine($"browser {message.Type}: {message.Text}");
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) output.WriteLine($"browser got {response.Status} for {response.Request.Method} {response.Url}");
        };
        return (page, errors);
    }

    /// <summary>The end state of a test, saved under the test output (bin/…/screenshots) so a failure shows what the browser saw.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Only reached under CI when chromium is missing (elsewhere the test attribute skipped the test): that is a failure.</summary>
    public static void RequireBrowser()
    {
        if (Missing is { } missing) Assert.Fail($"{missing}: CI must install it (.ci/run does).");
    }

    /// <summary>A new page signed in with a new key of <paramref name="role"/>, once the console is ready; the key's client too.</summary>
    public async Task<(IPage Page, List<string> Errors, HttpClient Http)> SignInAsync(string role, ITestOutputHelper output)
    {
        var (http, _) = await Twin.ClientAsAsync(role);
        var key = http.DefaultRequestHeaders.Authorization!.Parameter!;
        var (page, errors) = await NewPageAsync(output);
        await page.GotoAsync(BaseUrl + "/");
        await page.Locator("#signin-key").FillAsync(key);
        await page.Locator("#signin-form button[type=submit]").ClickAsync();
        await page.WaitForFunctionAsync("() => window.__citytwin && window.__citytwin.ready === true", null, new() { Timeout = 30_000 });
        return (page, errors, http);
    }

    /// <summary>Waits for a predicate in the page; on timeout, saves a screenshot of what the browser showed and fails naming what was awaited.</summary>
    public static async Task WaitForAsync(IPage page, string predicate, TimeSpan timeout, string what)
    {
        try
        {
            await page.WaitForFunctionAsync(predicate, null, new() { Timeout = (float)timeout.TotalMilliseconds, PollingInterval = 50 });
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync(page, "timeout-" + string.Concat(what.Where(char.IsLetterOrDigit)));
            Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what} ({predicate}).");
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        if (Twin is not null) await Twin.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}

/// <summary>
/// A browser test: skipped on a developer machine without chromium (CI unset); under CI it runs, and a missing
/// chromium fails it.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (ConsoleFixture.Missing is { } missing && !ConsoleFixture.IsCi) Skip = $"{missing}; under CI (CI=true) this test fails instead.";
    }
}
