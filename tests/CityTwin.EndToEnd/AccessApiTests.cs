using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CityTwin.Domain.Access;
using CityTwin.Domain.City;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CityTwin.EndToEnd;

/// <summary>A twin that takes API keys and the tokens of one identity provider (a test RSA key), with a small city.</summary>
public sealed class AccessFixture : IAsyncLifetime
{
    public const string Issuer = "https://idp.citytwin.test";
    public const string Audience = "citytwin";
    public const string ConsoleOrigin = "https://ops.city.test";

    public RSA SigningKey { get; } = RSA.Create(2048);
    public TwinHost Twin { get; private set; } = null!;
    public GeneratedCity City { get; } = CityGenerator.Generate(new CitySpec { TargetAssets = 1_000, Seed = 11, Districts = 3 });

    public async Task InitializeAsync()
    {
        Twin = await TwinHost.StartAsync(TwinStorage.TempSqlite(),
            $"--Auth:Jwt:Issuer={Issuer}", $"--Auth:Jwt:Audience={Audience}", $"--Auth:Jwt:SigningKeys:0={SigningKey.ExportSubjectPublicKeyInfoPem()}",
            $"--Api:Cors:Origins:0={ConsoleOrigin}",
            // Scenarios, sweeps, optimisations and snapshots share one budget, and every client without a valid credential
            // shares its address's: the access matrix alone sends 16 such POSTs from 127.0.0.1 (RateLimitTests test limits).
            "--Api:RateLimits:Scenarios:Burst=100");
        using var imported = await ApiFixture.ImportAsync(Twin.Http, City.Assets);
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        // Stats come from the districts' reports (at most every 250 ms): ready once they count the whole city.
        for (var wait = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            var stats = await Twin.Http.GetFromJsonAsync<JsonObject>("/api/stats");
            if ((int)stats!["city"]!["assets"]! == City.Assets.Count) break;
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(30), $"the stats never counted the imported city: {stats["city"]!["assets"]}");
        }
    }

    public async Task DisposeAsync() => await Twin.DisposeAsync();

    /// <summary>A token as the city's identity provider would sign it (or, with <paramref name="key"/>, someone else).</summary>
    public string Token(string subject, object roles, string issuer = Issuer, string audience = Audience, TimeSpan? lifetime = null,
        RSA? key = null, IDictionary<string, object>? claims = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(10));
        var all = new Dictionary<string, object>(claims ?? new Dictionary<string, object>()) { ["sub"] = subject, ["roles"] = roles, ["name"] = subject };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer, Audience = audience, Claims = all,
            IssuedAt = expires < now ? expires.AddMinutes(-5) : now, NotBefore = expires < now ? expires.AddMinutes(-5) : now, Expires = expires,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? SigningKey), SecurityAlgorithms.RsaSha256),
        });
    }

    public HttpClient WithToken(string token)
    {
        var http = Twin.Client();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }
}

public sealed class AccessApiTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private TwinHost Twin => fixture.Twin;

    private static async Task<JsonObject> ProblemOf(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Without_a_credential_every_api_route_is_refused_and_probes_stay_open()
    {
        using var anonymous = Twin.Client();
        foreach (var path in new[] { "/api/assets/pole-0001", "/api/assets?type=pole", "/api/stats", "/api/districts", "/api/alarms", "/api/feed", "/api/keys" })
        {
            using var response = await anonymous.GetAsync(path);
            var problem = await ProblemOf(response, HttpStatusCode.Unauthorized);
            Assert.Equal("https://citytwin.dev/problems/unauthorized", (string?)problem["type"]);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
        }
        using var post = await anonymous.PostAsJsonAsync($"/api/assets/{fixture.City.Assets[0].Id}/status", new { status = "offline" });
        await ProblemOf(post, HttpStatusCode.Unauthorized);
        foreach (var open in new[] { "/health", "/alive", "/metrics", "/openapi/v1.json", "/docs" })
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(open)).StatusCode);
    }

    [Fact]
    public async Task A_malformed_or_unknown_key_is_refused_with_the_reason()
    {
        using var http = Twin.Client();
        http.DefaultRequestHeaders.Authorization = new("ApiKey", "not-a-key");
        var malformed = await ProblemOf(await http.GetAsync("/api/stats"), HttpStatusCode.Unauthorized);
        Assert.Contains("not a CityTwin key", (string?)malformed["detail"]);

        http.DefaultRequestHeaders.Authorization = new("ApiKey", ApiKeyToken.New().Key);
        var unknown = await ProblemOf(await http.GetAsync("/api/stats"), HttpStatusCode.Unauthorized);
        Assert.Contains("not known", (string?)unknown["detail"]);
    }

    [Fact]
    public async Task A_key_is_shown_once_stored_as_a_hash_and_carries_its_role_and_scope()
    {
        using var created = await Twin.Http.PostAsJsonAsync("/api/keys", new { name = "lighting desk", role = "operator", department = "lighting", districts = new[] { "d01" }, types = new[] { "pole" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var key = (string)body["key"]!;
        var id = (string)body["record"]!["id"]!;
        Assert.Equal(id, ApiKeyToken.IdOf(key));

        var listed = await Twin.Http.GetStringAsync("/api/keys");
        Assert.Contains(id, listed);
        Assert.DoesNotContain(key, listed);
        Assert.DoesNotContain(ApiKeyToken.Hash(key), listed);

        using var http = Twin.Client();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var me = (await http.GetFromJsonAsync<JsonObject>("/api/me"))!;
        Assert.Equal($"key:{id}", (string?)me["id"]);
        Assert.Equal(["operator"], me["roles"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("lighting", (string?)me["department"]);
        Assert.Equal("d01", (string?)me["scope"]![0]!["districts"]![0]);
        Assert.Equal("pole", (string?)me["scope"]![0]!["types"]![0]);
    }

    [Fact]
    public async Task A_bad_key_request_names_its_fields_and_only_an_admin_may_make_keys()
    {
        var invalid = await ProblemOf(await Twin.Http.PostAsJsonAsync("/api/keys", new { name = "", role = "mayor", types = new[] { "tram" } }), HttpStatusCode.BadRequest);
        var fields = invalid["errors"]!.AsArray().Select(e => (string)e!["field"]!).ToArray();
        Assert.Contains("name", fields);
        Assert.Contains("role", fields);
        Assert.Contains("types", fields);

        var (viewer, _) = await Twin.ClientAsAsync(Roles.Viewer);
        var forbidden = await ProblemOf(await viewer.PostAsJsonAsync("/api/keys", new { name = "mine", role = "admin" }), HttpStatusCode.Forbidden);
        Assert.Contains("admin", (string?)forbidden["detail"]);
        Assert.Contains("viewer", (string?)forbidden["detail"]);
    }

    [Fact]
    public async Task Revoking_a_key_refuses_it_on_every_api_process_within_five_seconds()
    {
        using var second = await Twin.StartAnotherApiAsync();
        var (viewer, id) = await Twin.ClientAsAsync(Roles.Viewer);
        second.DefaultRequestHeaders.Authorization = viewer.DefaultRequestHeaders.Authorization;
        for (var wait = Stopwatch.StartNew(); (await second.GetAsync("/api/stats")).StatusCode != HttpStatusCode.OK; await Task.Delay(50))
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(10), "the other API process never took the new key");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/stats")).StatusCode);

        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await Twin.Http.DeleteAsync($"/api/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/stats")).StatusCode); // the process that revoked: at once
        while ((await second.GetAsync("/api/stats")).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the other API process still takes the revoked key after 5 s");
            await Task.Delay(50);
        }
        var problem = await ProblemOf(await second.GetAsync("/api/stats"), HttpStatusCode.Unauthorized);
        Assert.Contains("revoked", (string?)problem["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Twin.Http.DeleteAsync("/api/keys/0000000000000000")).StatusCode);
    }

    [Fact]
    public async Task A_key_past_its_expiry_is_refused()
    {
        using var created = await Twin.Http.PostAsJsonAsync("/api/keys", new { name = "short", role = "viewer", expiresAt = DateTimeOffset.UtcNow.AddSeconds(2) });
        var key = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!;
        using var http = Twin.Client();
        http.DefaultRequestHeaders.Authorization = new("ApiKey", key);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/me")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Contains("expired", (string?)(await ProblemOf(await http.GetAsync("/api/me"), HttpStatusCode.Unauthorized))["detail"]);
    }

    [Fact]
    public async Task A_token_from_the_citys_identity_provider_signs_a_user_in_with_its_roles()
    {
        using var http = fixture.WithToken(fixture.Token("alice", new[] { "operator" }, claims: new Dictionary<string, object> { ["citytwin:districts"] = new[] { "d02" } }));
        var me = (await http.GetFromJsonAsync<JsonObject>("/api/me"))!;
        Assert.Equal($"user:{AccessFixture.Issuer}|alice", (string?)me["id"]);
        Assert.Equal(["operator"], me["roles"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("d02", (string?)me["scope"]![0]!["districts"]![0]);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/stats")).StatusCode);
    }

    [Fact]
    public async Task Expired_foreign_and_forged_tokens_are_refused()
    {
        using var other = RSA.Create(2048);
        foreach (var token in new[]
        {
            fixture.Token("bob", "admin", lifetime: TimeSpan.FromMinutes(-2)),
            fixture.Token("bob", "admin", issuer: "https://someone-else.test"),
            fixture.Token("bob", "admin", audience: "another-app"),
            fixture.Token("bob", "admin", key: other),
        })
        {
            using var http = fixture.WithToken(token);
            using var response = await http.GetAsync("/api/stats");
            await ProblemOf(response, HttpStatusCode.Unauthorized);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task A_token_without_a_citytwin_role_is_forbidden_not_unauthorized()
    {
        using var http = fixture.WithToken(fixture.Token("carol", new[] { "payroll" }));
        await ProblemOf(await http.GetAsync("/api/stats"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_only_a_configured_origin_may_call_cross_origin()
    {
        using var response = await Twin.Http.GetAsync("/api/stats");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());

        foreach (var (origin, allowed) in new[] { (AccessFixture.ConsoleOrigin, true), ("https://evil.test", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/assets/pole-0001/status");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            using var answer = await Twin.Client().SendAsync(preflight);
            Assert.Equal(allowed, answer.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        }
    }

    [Fact]
    public async Task The_openapi_document_states_the_schemes_and_which_operations_need_them()
    {
        var document = (await Twin.Client().GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.True(schemes.ContainsKey("apiKey") && schemes.ContainsKey("bearer"));
        var get = document["paths"]!["/api/assets/{id}"]!["get"]!;
        Assert.NotEmpty(get["security"]!.AsArray());
        Assert.True(get["responses"]!.AsObject().ContainsKey("401"));
        Assert.Contains("operator", (string?)document["paths"]!["/api/assets/{id}/status"]!["post"]!["description"]);
    }

    [Fact]
    public void Authentication_can_be_switched_off_only_in_development() =>
        Assert.Contains("Development only", Assert.Throws<InvalidOperationException>(() =>
            CityTwin.Api.ApiProgram.CreateApp(["--Auth:Disabled=true", "--environment=Production", "--Storage:Provider=Sqlite"])).Message);
}
