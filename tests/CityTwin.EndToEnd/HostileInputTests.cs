using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using CityTwin.Domain.City;
using CityTwin.LoadTests;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CityTwin.EndToEnd;

/// <summary>
/// A twin whose API runs in the Development environment (as the AppHost runs it: there a query value that does not
/// bind used to be a 500), with small body limits so oversized bodies are cheap to send, and short slow-client
/// timeouts so those tests take seconds.
/// </summary>
public sealed class HostileInputFixture : IAsyncLifetime
{
    public const int BodyLimit = 1 << 20;
    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 7 });
    public HttpClient Http => Twin.Http;

    public async Task InitializeAsync()
    {
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(), "--environment=Development",
            $"--Api:MaxImportBytes={BodyLimit}", $"--Ingest:MaxBodyBytes={BodyLimit}",
            "--Api:Limits:RequestHeadersTimeout=00:00:02", "--Api:Limits:MinRequestBodyGracePeriod=00:00:02");
        var response = await ApiFixture.ImportAsync(Http, City.Assets);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync() => await Twin.DisposeAsync();

    /// <summary>Every endpoint the API maps, from its own endpoint data source, so a new one is fuzzed without being listed.</summary>
    public List<FuzzEndpoint> Endpoints()
    {
        var source = Twin.ApiServices.GetRequiredService<EndpointDataSource>();
        var endpoints = new List<FuzzEndpoint>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var route = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var routeValues = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            // Minimal API handlers: every simple-typed parameter that is not a route value comes from the query string.
            var query = (endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters() ?? [])
                .Where(p => p.Name is not null && !routeValues.Contains(p.Name) && IsSimple(p.ParameterType))
                .Select(p => p.Name!)
                .Union(HostileRequests.RawQuery.GetValueOrDefault(route.TrimEnd('/')) ?? []);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                endpoints.Add(new FuzzEndpoint(method, route, [.. query]));
        }
        return endpoints;
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTimeOffset) || type == typeof(Guid);
    }
}

public sealed class HostileInputTests(HostileInputFixture fixture, ITestOutputHelper output) : IClassFixture<HostileInputFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Thousands_of_hostile_requests_get_no_5xx_only_problems_and_change_nothing()
    {
        const int requests = 2_400, seed = 15;
        var endpoints = fixture.Endpoints();
        Assert.Contains(endpoints, e => e.Route == "/api/alarms/" && e.Query.Contains("limit"));
        Assert.Contains(endpoints, e => e.Route == "/api/scenarios/{id}/compare" && e.Query.Contains("top"));
        Assert.Contains(endpoints, e => e.Route == "/api/import" && e.Method == "POST" && e.Query.Contains("dryRun"));

        var before = await TwinState.SettledAsync(Http);
        using var client = Fuzzer.Client(Http, concurrency: 6);
        var clock = Stopwatch.StartNew();
        var tally = await Fuzzer.RunAsync(client, new HostileRequests(endpoints, HostileRequests.IdsOf(fixture.City.Assets), seed, HostileInputFixture.BodyLimit + 1024),
            requests, concurrency: 6, budget: TimeSpan.FromMinutes(2));
        var after = await TwinState.SettledAsync(Http);

        var summary = $"{tally.Sent:N0} requests in {clock.Elapsed.TotalSeconds:0.0} s over {endpoints.Count} endpoints; answers {tally.Statuses()}; " +
                      $"transport errors {string.Join(", ", tally.TransportErrors.Select(t => $"{t.Key}: {t.Value}"))}; retried on a new connection {tally.Retried}; accepted writes {tally.AcceptedCount}";
        output.WriteLine(summary);
        Assert.True(tally.Violations.Count == 0, summary + "\n" + string.Join("\n", tally.Violations.Take(40)) + "\naccepted writes:\n" + string.Join("\n", tally.AcceptedWrites.Take(20)));
        Assert.Equal(0, tally.ServerErrors);
        Assert.Equal(requests, tally.Sent);
        var changed = before.Differences(after).ToList();
        if (changed.Count > 0) output.WriteLine($"before: {before}\nafter:  {after}");
        Assert.True(changed.Count == 0, $"refused requests changed {string.Join(", ", changed)}; {summary}\naccepted writes:\n{string.Join("\n", tally.AcceptedWrites.Take(40))}");
        // Most answers are refusals, and every class of them came up.
        Assert.True(tally.ByStatus.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value) > requests / 2, summary);
        foreach (var status in new[] { 400, 404, 405, 413, 415, 431 }) Assert.True(tally.ByStatus.ContainsKey(status), $"no {status}: {summary}");
    }

    [Theory]
    [InlineData("/api/alarms?limit=abc", "limit")]
    [InlineData("/api/alarms?limit=", "limit")]
    [InlineData("/api/alarms?limit=1e9", "limit")]
    [InlineData("/api/alarms?limit=99999999999", "limit")]
    [InlineData("/api/alarms?severity=abc", "severity")]
    [InlineData("/api/alarms?active=maybe", "active")]
    [InlineData("/api/alarms?active=", "active")]
    [InlineData("/api/districts/{district}?limit=abc", "limit")]
    [InlineData("/api/districts/{district}?limit=-5", "limit")]
    [InlineData("/api/assets/{asset}/history?limit=", "limit")]
    [InlineData("/api/assets/{asset}/history?limit=NaN", "limit")]
    [InlineData("/api/assets/{asset}/dependents?limit=1.5", "limit")]
    [InlineData("/api/scenarios?limit=%F0%9F%92%A5", "limit")]
    [InlineData("/api/scenarios/scn-0123456789abcdef0123/compare?top=", "top")]
    [InlineData("/api/scenarios/scn-0123456789abcdef0123/compare?top=1&top=2", "top")]
    public async Task A_query_value_that_does_not_bind_is_a_400_naming_the_parameter(string url, string field)
    {
        url = url.Replace("{district}", fixture.City.Assets[0].District).Replace("{asset}", fixture.City.Assets[0].Id);
        var problem = await Json.AssertProblemAsync(await Http.GetAsync(url), 400, "validation");
        Assert.Contains(field, Json.ErrorFields(problem));
        Assert.Contains(field, (string)problem["detail"]!);
    }

    [Fact]
    public async Task A_bad_dry_run_flag_refuses_the_import_before_reading_it()
    {
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole) with { Name = "renamed by a refused import" };
        var response = await Http.PostAsync("/api/import?dryRun=perhaps", new ByteArrayContent(await ApiFixture.ToGeoJsonAsync([pole]))
        {
            Headers = { ContentType = new("application/geo+json") },
        });
        Assert.Contains("dryRun", Json.ErrorFields(await Json.AssertProblemAsync(response, 400, "validation")));
        var live = await Json.ReadAsync(await Http.GetAsync($"/api/assets/{pole.Id}"));
        Assert.NotEqual("renamed by a refused import", (string?)live["name"]);
    }

    [Theory]
    [InlineData("PUT", "/api/stats")]
    [InlineData("DELETE", "/api/assets/pole-000001")]
    [InlineData("PATCH", "/api/scenarios")]
    [InlineData("FUZZ", "/api/alarms")]
    public async Task An_unmapped_method_is_a_405_problem_listing_the_allowed_ones(string method, string url)
    {
        var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        await Json.AssertProblemAsync(response, 405, "method-not-allowed");
        Assert.NotEmpty(response.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        await Json.AssertProblemAsync(await Http.GetAsync("/api/nothing-here"), 404, "not-found");
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{\"status\":", "}")]
    public async Task Json_ten_thousand_deep_is_a_400(string open, string close)
    {
        var body = string.Concat(Enumerable.Repeat(open, 10_000)) + "1" + string.Concat(Enumerable.Repeat(close, 10_000));
        foreach (var url in new[] { $"/api/assets/{fixture.City.Assets[0].Id}/status", "/api/telemetry", "/api/scenarios", "/api/import" })
        {
            var response = await Http.PostAsync(url, Json.Body(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_a_413_problem()
    {
        var body = new byte[HostileInputFixture.BodyLimit + 1];
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/assets/{fixture.City.Assets[0].Id}/telemetry")
        {
            Content = new StreamContent(new MemoryStream(body)) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.TransferEncodingChunked = true;
        await Json.AssertProblemAsync(await Http.SendAsync(request), 413, "payload-too-large");
    }

    [Fact]
    public async Task A_client_that_sends_its_body_too_slowly_is_cut_off_with_a_408()
    {
        // Kestrel: Api:Limits:MinRequestBodyBytesPerSecond (1 KiB/s) after the fixture's 2 s grace period.
        using var socket = await ConnectAsync();
        var head = $"POST /api/assets/{fixture.City.Assets[0].Id}/telemetry HTTP/1.1\r\nHost: x\r\nAuthorization: {Http.DefaultRequestHeaders.Authorization}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        var clock = Stopwatch.StartNew();
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        var receiving = socket.ReceiveAsync(buffer);
        while (!receiving.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try { await socket.SendAsync(" "u8.ToArray()); } catch (SocketException) { break; }
            await Task.WhenAny(receiving, Task.Delay(500));
        }
        for (var n = await receiving; n > 0; n = await socket.ReceiveAsync(buffer)) answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the slow client was never cut off");
        Assert.StartsWith("HTTP/1.1 408", answer.ToString());
        Assert.Contains("application/problem+json", answer.ToString());
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_cut_off()
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync("GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Slow: "u8.ToArray());
        var clock = Stopwatch.StartNew();
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (var n = await socket.ReceiveAsync(buffer, timeout.Token); n > 0; n = await socket.ReceiveAsync(buffer, timeout.Token))
            answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cut off after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.StartsWith("HTTP/1.1 408", answer.ToString());
    }

    [Fact]
    public async Task A_header_flood_is_refused_before_the_api()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        for (var i = 0; i < 200; i++) request.Headers.TryAddWithoutValidation($"X-Flood-{i}", "v");
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await Http.SendAsync(request)).StatusCode);
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Http.BaseAddress!.Port);
        return socket;
    }
}
