using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Api.Stats;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CityTwin.EndToEnd;

/// <summary>
/// <c>GET /api/stats/history</c>: the last hour of the city's KPIs, sampled every 10 s by the API process. The API under
/// test is another one on the fixture's cluster whose history clock is the test's, so ten seconds pass when the test says.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class StatsHistoryApiTests(ApiFixture fixture)
{
    private static readonly string[] Kpis = ["assets", "powerDrawKw", "congestionIndex", "offlineRatio", "camerasWithoutFeed", "linksDown"];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    private async Task<HttpClient> StartApiAsync()
    {
        var http = await fixture.Twin.StartAnotherApiAsync(s => s.AddKeyedSingleton<TimeProvider>(StatsHistory.ClockKey, _clock));
        http.DefaultRequestHeaders.Authorization = fixture.Http.DefaultRequestHeaders.Authorization;
        return http;
    }

    private static async Task<JsonArray> PointsAsync(HttpClient http, string query = "")
    {
        using var response = await http.GetAsync("/api/stats/history" + query);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(10, (double)body["intervalSeconds"]!);
        Assert.Equal(3600, (double)body["windowSeconds"]!);
        return body["points"]!.AsArray();
    }

    /// <summary>Ten seconds of the history's clock, then the sample that tick takes, taken.</summary>
    private async Task<JsonNode> TickAsync(HttpClient http)
    {
        _clock.Advance(TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var points = await PointsAsync(http);
            if (points.Count > 0 && (DateTimeOffset)points[^1]!["at"]! == _clock.GetUtcNow()) return points[^1]!;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no sample at {_clock.GetUtcNow():O}");
    }

    private static bool SameKpis(JsonNode point, JsonNode city) => Kpis.All(k => (double)point[k]! == (double)city[k]!);

    [Fact]
    public async Task History_samples_the_city_every_10_s_keeps_the_last_hour_and_shows_a_link_cut()
    {
        var http = await StartApiAsync();

        // A sample as the API starts: the console has something at once.
        var start = await PointsAsync(http);
        Assert.Single(start);
        Assert.Equal(_clock.GetUtcNow(), (DateTimeOffset)start[0]!["at"]!);
        Assert.Equal(fixture.City.Assets.Count, (int)start[0]!["assets"]!);

        // Each point is what /api/stats said then (compared where the stats stood still around the sample).
        var matched = false;
        for (var i = 0; i < 20 && !matched; i++)
        {
            var before = (await http.GetFromJsonAsync<JsonObject>("/api/stats"))!["city"]!;
            var point = await TickAsync(http);
            var after = (await http.GetFromJsonAsync<JsonObject>("/api/stats"))!["city"]!;
            if (SameKpis(before, after)) { Assert.True(SameKpis(point, after), $"{point.ToJsonString()} vs {after.ToJsonString()}"); matched = true; }
        }
        Assert.True(matched, "the stats never stood still around a sample");

        // A link cut: the next sample after the districts report it counts the link down.
        var link = fixture.City.Assets.First(a => a.Type == AssetType.Link);
        var linksDown = (int)(await http.GetFromJsonAsync<JsonObject>("/api/stats"))!["city"]!["linksDown"]!;
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"down"}"""))).StatusCode);
        try
        {
            for (var i = 0; i < 100 && (int)(await http.GetFromJsonAsync<JsonObject>("/api/stats"))!["city"]!["linksDown"]! == linksDown; i++) await Task.Delay(100);
            var cut = await TickAsync(http);
            Assert.Equal(linksDown + 1, (int)cut["linksDown"]!);
            var points = await PointsAsync(http);
            Assert.Contains(points, p => (int)p!["linksDown"]! == linksDown); // the hour before is still there
        }
        finally
        {
            await fixture.Http.PostAsync($"/api/links/{link.Id}/status", Json.Body("""{"condition":"up"}"""));
        }

        // An hour and more later: 360 points at most, none older than the hour, 10 s apart, oldest first.
        for (var i = 0; i < 365; i++) await TickAsync(http);
        var hour = await PointsAsync(http);
        Assert.Equal(360, hour.Count);
        var times = hour.Select(p => (DateTimeOffset)p!["at"]!).ToArray();
        Assert.True(times[0] > _clock.GetUtcNow() - TimeSpan.FromHours(1), $"{times[0]:O} is older than the hour before {_clock.GetUtcNow():O}");
        Assert.Equal(_clock.GetUtcNow(), times[^1]);
        Assert.All(times.Zip(times.Skip(1)), t => Assert.Equal(TimeSpan.FromSeconds(10), t.Second - t.First));
    }

    [Fact]
    public async Task History_is_narrowed_to_districts_and_to_the_callers_scope()
    {
        var district = fixture.City.Districts[0];
        // The key first: an API process learns keys made after its start within Auth:RefreshInterval.
        var (viewer, _) = await fixture.Twin.ClientAsAsync("viewer", districts: [district], types: ["pole"]);
        var http = await StartApiAsync();
        var inDistrict = fixture.City.Assets.Where(a => a.District == district).ToArray();

        // ?district= : that district's points (the test city has one district: the same as the city's).
        var named = await PointsAsync(http, $"?district={district}");
        Assert.NotEmpty(named);
        Assert.Equal(inDistrict.Length, (int)named[^1]!["assets"]!);
        Assert.Equal((await PointsAsync(http)).ToJsonString(), named.ToJsonString());

        // A viewer scoped to the district's poles sees only them: the same points whatever it asks for.
        using var scoped = new HttpClient { BaseAddress = http.BaseAddress }; // the same key, against the API under test
        scoped.DefaultRequestHeaders.Authorization = viewer.DefaultRequestHeaders.Authorization;
        var poles = inDistrict.Count(a => a.Type == AssetType.Pole);
        var mine = await PointsAsync(scoped);
        Assert.NotEmpty(mine);
        Assert.All(mine, p => Assert.Equal(poles, (int)p!["assets"]!));
        Assert.All(mine, p => Assert.Equal(0, (int)p!["linksDown"]!)); // links are not its type
        Assert.True(poles < fixture.City.Assets.Count(a => a.District == district));

        // A district with no reports (none of that id): points of nothing.
        Assert.All(await PointsAsync(http, "?district=zz99"), p => Assert.Equal(0, (int)p!["assets"]!));

        // Refusals: a bad district id, no credential.
        await Json.AssertProblemAsync(await http.GetAsync("/api/stats/history?district=a%20b"), 400, "validation");
        using var anonymous = new HttpClient { BaseAddress = http.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/stats/history")).StatusCode);
    }
}
