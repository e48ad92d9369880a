using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Access;

namespace CityTwin.EndToEnd;

/// <summary>Keys (as hashes), their revocations and the audit log are the twin's database's: they survive a full restart on both stores.</summary>
public sealed class AccessPersistenceTests
{
    [Fact]
    public Task Keys_revocations_and_audit_survive_a_restart_on_sqlite() => SurvivesRestart(TwinStorage.TempSqlite());

    [Fact]
    public async Task Keys_revocations_and_audit_survive_a_restart_on_postgresql()
    {
        var connectionString = await PostgresDatabase.CreateFreshAsync();
        if (connectionString is null) return; // developer machine without PostgreSQL; CI always has it
        await SurvivesRestart(TwinStorage.Postgres(connectionString));
    }

    private static async Task SurvivesRestart(TwinStorage storage)
    {
        string kept, revoked, keptId;
        await using (var twin = await TwinHost.StartAsync(storage))
        {
            (kept, keptId) = await NewKeyAsync(twin, Roles.Viewer);
            (revoked, var revokedId) = await NewKeyAsync(twin, Roles.Operator);
            (await twin.Http.DeleteAsync($"/api/keys/{revokedId}")).EnsureSuccessStatusCode();
        }
        await using (var twin = await TwinHost.StartAsync(storage))
        {
            using var http = twin.Client();
            http.DefaultRequestHeaders.Authorization = new("ApiKey", kept);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/me")).StatusCode);
            http.DefaultRequestHeaders.Authorization = new("ApiKey", revoked);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/me")).StatusCode);

            var audit = (await twin.Http.GetFromJsonAsync<JsonObject>("/api/audit?action=key.revoke"))!["entries"]!.AsArray();
            Assert.Single(audit);
            Assert.Equal("ok", (string?)audit[0]!["outcome"]);
            var keys = await twin.Http.GetStringAsync("/api/keys");
            Assert.Contains(keptId, keys);
            Assert.DoesNotContain(kept, keys);
        }
    }

    private static async Task<(string Key, string Id)> NewKeyAsync(TwinHost twin, string role)
    {
        using var created = await twin.Http.PostAsJsonAsync("/api/keys", new { name = role, role });
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        return ((string)body["key"]!, (string)body["record"]!["id"]!);
    }
}
