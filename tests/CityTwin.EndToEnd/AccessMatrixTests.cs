using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CityTwin.Domain.Access;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.EndToEnd;

/// <summary>
/// Every /api route × every kind of caller: none, each role, a revoked key, an expired token, a token from another
/// issuer. The table below is the contract, written independently of the endpoints' code; every route the API maps
/// must be in it. Commands are sent with a body the endpoint refuses (400) or a target that does not exist (404), so
/// an authorised call changes nothing and still shows that it got past authorization.
/// </summary>
public sealed class AccessMatrixTests(AccessFixture fixture) : IClassFixture<AccessFixture>
{
    private static readonly string[] Readers = Roles.Readers, Operators = Roles.Operators, Engineers = Roles.Engineers, Admins = [Roles.Admin], Senders = Roles.Senders;

    private sealed record Route(string Method, string Pattern, string[] Allowed);

    private static readonly Route[] Table =
    [
        new("GET", "/api/assets", Readers),
        new("GET", "/api/assets/{id}", Readers),
        new("GET", "/api/assets/{id}/history", Readers),
        new("GET", "/api/assets/{id}/dependencies", Readers),
        new("GET", "/api/assets/{id}/dependents", Readers),
        new("POST", "/api/assets/{id}/telemetry", Senders),
        new("POST", "/api/assets/{id}/status", Operators),
        new("GET", "/api/stats", Readers),
        new("GET", "/api/stats/history", Readers),
        new("GET", "/api/districts", Readers),
        new("GET", "/api/districts/{id}", Readers),
        new("GET", "/api/districts/{id}/power", Readers),
        new("POST", "/api/districts/{id}/power", Operators),
        new("POST", "/api/import", Admins),
        new("GET", "/api/export", Readers),
        new("POST", "/api/links/{id}/status", Operators),
        new("POST", "/api/intersections/{id}/controller", Operators),
        new("GET", "/api/alarms", Readers),
        new("POST", "/api/alarms/{id}/ack", Operators),
        new("POST", "/api/alarms/{id}/shelve", Operators),
        new("DELETE", "/api/alarms/{id}/shelve", Operators),
        new("GET", "/api/alarms/groups/{rootId}/members", Readers),
        new("POST", "/api/alarms/groups/{rootId}/ack", Operators),
        new("POST", "/api/scenarios", Engineers),
        new("GET", "/api/scenarios", Readers),
        new("GET", "/api/scenarios/examples", Readers),
        new("GET", "/api/scenarios/{id}", Readers),
        new("GET", "/api/scenarios/{id}/compare", Readers),
        new("DELETE", "/api/scenarios/{id}", Engineers),
        new("POST", "/api/intersections/{id}/plan", Operators),
        new("POST", "/api/optimisations", Engineers),
        new("GET", "/api/optimisations", Readers),
        new("GET", "/api/optimisations/{id}", Readers),
        new("DELETE", "/api/optimisations/{id}", Engineers),
        new("POST", "/api/optimisations/{id}/apply", Operators),
        new("POST", "/api/optimisations/{id}/revert", Operators),
        new("POST", "/api/exports/sumo", Engineers),
        new("POST", "/api/sweeps", Engineers),
        new("GET", "/api/sweeps", Readers),
        new("GET", "/api/sweeps/{id}", Readers),
        new("DELETE", "/api/sweeps/{id}", Engineers),
        new("POST", "/api/snapshots", Engineers),
        new("GET", "/api/snapshots", Readers),
        new("GET", "/api/snapshots/{name}", Readers),
        new("DELETE", "/api/snapshots/{name}", Engineers),
        new("GET", "/api/feed", Readers),
        new("POST", "/api/telemetry", Senders),
        new("GET", "/api/telemetry/mqtt", Readers),
        new("POST", "/api/keys", Admins),
        new("GET", "/api/keys", Admins),
        new("DELETE", "/api/keys/{id}", Admins),
        new("POST", "/api/shares", Admins),
        new("GET", "/api/shares", Admins),
        new("DELETE", "/api/shares/{id}", Admins),
        new("GET", "/api/me", [.. Roles.All]),
        new("GET", "/api/audit", Operators),
    ];

    [Fact]
    public void Every_api_route_the_api_maps_is_in_the_table()
    {
        var mapped = fixture.Twin.ApiServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();
        Assert.Equal(Table.Select(r => $"{r.Method} {r.Pattern}").Order(), mapped.Order());
    }

    [Fact]
    public async Task Each_route_answers_401_403_or_serves_by_credential_and_role()
    {
        var pole = fixture.City.Assets.First(a => a.Type == AssetType.Pole);
        var credentials = new List<(string Name, string? Role, HttpClient Http)> { ("none", null, fixture.Twin.Client()) };
        foreach (var role in Roles.All) credentials.Add((role, role, (await fixture.Twin.ClientAsAsync(role)).Http));
        var (revoked, revokedId) = await fixture.Twin.ClientAsAsync(Roles.Admin);
        (await fixture.Twin.Http.DeleteAsync($"/api/keys/{revokedId}")).EnsureSuccessStatusCode();
        credentials.Add(("revoked key", null, revoked));
        credentials.Add(("expired token", null, fixture.WithToken(fixture.Token("eve", "admin", lifetime: TimeSpan.FromMinutes(-2)))));
        credentials.Add(("foreign token", null, fixture.WithToken(fixture.Token("eve", "admin", issuer: "https://elsewhere.test"))));

        var failures = new List<string>();
        foreach (var route in Table)
        {
            var path = route.Pattern
                .Replace("/api/assets/{id}", $"/api/assets/{pole.Id}")
                .Replace("/api/districts/{id}", $"/api/districts/{pole.District}")
                .Replace("/api/links/{id}", "/api/links/leo-none")
                .Replace("/api/intersections/{id}", "/api/intersections/int-none")
                .Replace("/api/alarms/groups/{rootId}", "/api/alarms/groups/leo-none")
                .Replace("/api/alarms/{id}", $"/api/alarms/alm-{pole.District}-999999")
                .Replace("/api/scenarios/{id}", "/api/scenarios/scn-none")
                .Replace("/api/sweeps/{id}", "/api/sweeps/swp-none")
                .Replace("/api/optimisations/{id}", "/api/optimisations/opt-none")
                .Replace("/api/snapshots/{name}", "/api/snapshots/snap-none")
                .Replace("/api/keys/{id}", "/api/keys/0000000000000000")
                .Replace("/api/shares/{id}", "/api/shares/shr-none");
            foreach (var (name, role, http) in credentials)
            {
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
                // A JSON array where every command expects an object (or a non-empty batch): refused, nothing changed.
                if (route.Method == "POST") request.Content = new StringContent("[]", Encoding.UTF8, route.Pattern == "/api/import" ? "application/geo+json" : "application/json");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var status = (int)response.StatusCode;
                var expected = role is null ? "401" : route.Allowed.Contains(role) ? "served" : "403";
                var ok = expected switch
                {
                    "401" => status == 401,
                    "403" => status == 403,
                    _ => status is not (401 or 403) and < 500,
                };
                if (!ok) failures.Add($"{route.Method} {route.Pattern} as {name}: {status}, expected {expected}");
                else if (status is 401 or 403) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
