using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CityTwin.Api.Http;
using CityTwin.Domain.City;
using CityTwin.LoadTests;
using Microsoft.AspNetCore.Http;

namespace CityTwin.EndToEnd;

/// <summary>A twin with small budgets: 1 command a second (burst 3), 2 feed subscriptions per caller; reads and the rest at their defaults.</summary>
public sealed class RateLimitFixture : IAsyncLifetime
{
    public const int CommandBurst = 3;
    public const int FeedSubscriptions = 2;

    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 3 });
    public HttpClient Http => Twin.Http;

    public async Task InitializeAsync()
    {
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(),
            "--Api:RateLimits:Commands:PermitsPerSecond=1", $"--Api:RateLimits:Commands:Burst={CommandBurst}",
            $"--Api:RateLimits:Feed:MaxSubscriptions={FeedSubscriptions}", "--Api:RateLimits:Feed:RetryAfterSeconds=2");
        var response = await ApiFixture.ImportAsync(Http, City.Assets);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await Twin.DisposeAsync();
}

public sealed class RateLimitTests(RateLimitFixture fixture) : IClassFixture<RateLimitFixture>
{
    private HttpClient Http => fixture.Http;
    private Asset Pole => fixture.City.Assets.First(a => a.Type == AssetType.Pole);

    private static Task<HttpResponseMessage> SetStatusAsync(HttpClient http, string id, string status) =>
        http.PostAsync($"/api/assets/{id}/status", Json.Body($$"""{"status": "{{status}}"}"""));

    /// <summary>Commands until the first refusal; the successes before it are at most the burst (plus what refilled meanwhile).</summary>
    private async Task<HttpResponseMessage> ExhaustCommandsAsync(HttpClient http)
    {
        for (var sent = 0; sent < RateLimitFixture.CommandBurst + 5; sent++)
        {
            var response = await SetStatusAsync(http, Pole.Id, sent % 2 == 0 ? "maintenance" : "operational");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) return response;
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        throw new Xunit.Sdk.XunitException($"no 429 after {RateLimitFixture.CommandBurst + 5} commands at a budget of 1/s, burst {RateLimitFixture.CommandBurst}");
    }

    [Fact]
    public async Task Commands_over_their_budget_answer_429_with_retry_after_and_a_problem_then_recover()
    {
        using var refused = await ExhaustCommandsAsync(Http);

        var problem = await Json.AssertProblemAsync(refused, 429, "rate-limited");
        var retryAfter = refused.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("no Retry-After in seconds");
        // 1 command a second: the next token is at most a second away, credited within the limiter's next 100 ms.
        Assert.Equal(2, retryAfter.TotalSeconds);
        Assert.Equal(retryAfter.TotalSeconds, (int)problem["retryAfter"]!);
        Assert.Equal("commands", (string?)problem["budget"]);
        Assert.Contains("Api:RateLimits:Commands:PermitsPerSecond = 1", (string?)problem["detail"]);
        Assert.Contains($"Burst = {RateLimitFixture.CommandBurst}", (string?)problem["detail"]);

        // Other budgets are the caller's own: reads and ingest are served while commands are spent.
        using var read = await Http.GetAsync($"/api/assets/{Pole.Id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var reading = await Http.PostJsonAsync($"/api/assets/{Pole.Id}/telemetry", new { timestamp = DateTimeOffset.UtcNow, dimLevel = 40 });
        Assert.True(reading.IsSuccessStatusCode, await reading.Content.ReadAsStringAsync());
        // Probes and metrics are never limited.
        using var alive = await Http.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);

        await Task.Delay(retryAfter); // exactly Retry-After: a client that obeys it is served
        using var again = await SetStatusAsync(Http, Pole.Id, "operational");
        Assert.True(again.IsSuccessStatusCode, $"after waiting Retry-After ({retryAfter.TotalSeconds} s): {(int)again.StatusCode} {await again.Content.ReadAsStringAsync()}");

        var metrics = await Http.GetStringAsync("/metrics");
        Assert.Matches("""citytwin_http_rate_limited_total\{[^}]*budget="commands"[^}]*\} [1-9]""", metrics);
    }

    [Fact]
    public async Task The_feed_refuses_a_subscription_over_the_callers_limit_and_accepts_again_after_one_closes()
    {
        var open = new List<FeedClient>();
        try
        {
            for (var i = 0; i < RateLimitFixture.FeedSubscriptions; i++)
            {
                open.Add(await FeedClient.ConnectAsync(Http, "?type=pole"));
                Assert.Equal(HttpStatusCode.OK, open[^1].Response.StatusCode);
            }

            await using (var refused = await FeedClient.ConnectAsync(Http, "?type=pole"))
            {
                var problem = await Json.AssertProblemAsync(refused.Response, 429, "rate-limited");
                Assert.Equal("feed", (string?)problem["budget"]);
                Assert.Contains($"Api:RateLimits:Feed:MaxSubscriptions = {RateLimitFixture.FeedSubscriptions}", (string?)problem["detail"]);
                Assert.Equal(TimeSpan.FromSeconds(2), refused.Response.Headers.RetryAfter?.Delta);
            }
            // Reads are another budget.
            using (var read = await Http.GetAsync("/api/districts"))
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            // The API notices the closed connection and releases its subscription: a new one is accepted.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            FeedClient next;
            while (true)
            {
                next = await FeedClient.ConnectAsync(Http, "?type=pole");
                if (next.Response.StatusCode == HttpStatusCode.OK || DateTime.UtcNow > deadline) break;
                await next.DisposeAsync();
                await Task.Delay(100);
            }
            open.Add(next);
            Assert.Equal(HttpStatusCode.OK, next.Response.StatusCode);
        }
        finally
        {
            foreach (var client in open) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Callers_with_different_keys_have_budgets_of_their_own()
    {
        // A caller is its credential: another key (here an operator's) is another budget.
        var (other, _) = await fixture.Twin.ClientAsAsync(CityTwin.Domain.Access.Roles.Operator);
        using var refused = await ExhaustCommandsAsync(Http);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using var served = await SetStatusAsync(other, Pole.Id, "operational");
        Assert.True(served.IsSuccessStatusCode, $"{(int)served.StatusCode} {await served.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("GET", "/api/assets/pole-1", RateLimitBudget.Reads)]
    [InlineData("HEAD", "/api/districts", RateLimitBudget.Reads)]
    [InlineData("GET", "/API/Stats", RateLimitBudget.Reads)]
    [InlineData("GET", "/api/telemetry/mqtt", RateLimitBudget.Reads)]
    [InlineData("GET", "/api/feed", RateLimitBudget.Feed)]
    [InlineData("GET", "/api/feed/", RateLimitBudget.Feed)]
    [InlineData("POST", "/api/feed", RateLimitBudget.Commands)]
    [InlineData("POST", "/api/assets/pole-1/status", RateLimitBudget.Commands)]
    [InlineData("POST", "/api/links/link-1/status", RateLimitBudget.Commands)]
    [InlineData("POST", "/api/districts/d01/power", RateLimitBudget.Commands)]
    [InlineData("POST", "/api/intersections/x-1/controller", RateLimitBudget.Commands)]
    [InlineData("POST", "/api/alarms/a-1/ack", RateLimitBudget.Commands)]
    [InlineData("POST", "/api/import", RateLimitBudget.Commands)]
    [InlineData("DELETE", "/api/scenarios/scn-1", RateLimitBudget.Commands)]
    [InlineData("PUT", "/api/assets/pole-1", RateLimitBudget.Commands)]
    [InlineData("POST", "/api/telemetry", RateLimitBudget.Ingest)]
    [InlineData("POST", "/api/telemetry/", RateLimitBudget.Ingest)]
    [InlineData("POST", "/api/assets/pole-1/telemetry", RateLimitBudget.Ingest)]
    [InlineData("POST", "/api/scenarios", RateLimitBudget.Scenarios)]
    [InlineData("POST", "/api/snapshots", RateLimitBudget.Scenarios)]
    [InlineData("DELETE", "/api/snapshots/before-cut", RateLimitBudget.Commands)]
    [InlineData("GET", "/health", null)]
    [InlineData("GET", "/alive", null)]
    [InlineData("GET", "/metrics", null)]
    [InlineData("GET", "/openapi/v1.json", null)]
    [InlineData("GET", "/docs", null)]
    [InlineData("POST", "/apis", null)]
    public void Requests_draw_from_the_budget_their_method_and_path_name(string method, string path, RateLimitBudget? budget)
    {
        var context = new DefaultHttpContext { Request = { Method = method, Path = path } };
        Assert.Equal(budget, RateLimits.Classify(context.Request));
    }

    [Fact]
    public void A_caller_is_its_key_its_issuer_and_subject_or_its_address()
    {
        var anonymous = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("::ffff:10.1.2.3") } };
        Assert.Equal("ip:10.1.2.3", RateLimits.CallerOf(anonymous));
        var v6 = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("2001:db8:1:2:3:4:5:6") } };
        Assert.Equal("ip:2001:db8:1:2::/64", RateLimits.CallerOf(v6));

        var key = new DefaultHttpContext { User = new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.NameIdentifier, "key:k-17")], "ApiKey")) };
        Assert.Equal("key:k-17", RateLimits.CallerOf(key));
        var user = new DefaultHttpContext
        {
            User = new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.NameIdentifier, "user:https://idp.example|alice"), new("iss", "https://idp.example")], "Bearer")),
        };
        Assert.Equal("user:https://idp.example|alice", RateLimits.CallerOf(user));
    }
}
