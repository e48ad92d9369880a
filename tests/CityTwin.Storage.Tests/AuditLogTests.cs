using CityTwin.Domain.Audit;
namespace CityTwin.Storage.Tests;

/// <summary>The audit log on both databases: pending then completed, found by actor, target, action and time, paged, aged out.</summary>
public class AuditLogTests
{
    [Fact]
    public async Task Sqlite_audit_log_keeps_and_finds_commands()
    {
        using var temp = new TempDirectory();
        await KeepsTheContract(TestStorage.Sqlite(temp.Path));
    }

    [PostgresFact]
    public async Task Postgres_audit_log_keeps_and_finds_commands()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        await KeepsTheContract(database.Options());
    }

    [PostgresFact]
    public async Task Many_commands_at_once_share_a_few_connections_and_are_all_recorded()
    {
        await using var database = await PostgresServer.CreateDatabaseAsync();
        var options = database.Options(); // Npgsql's pool of 100: only the log's own gate keeps it small
        await SchemaInstaller.ApplyAsync(options);
        var log = new SqlAuditLog(options);
        var at = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            var seq = await log.BeginAsync(new AuditEntry { At = at, Actor = "key:a", ActorName = "a", Role = "operator", Action = "asset.status", Target = $"pole-{i}" });
            await log.CompleteAsync(seq, "ok", "offline", null);
        }));

        var entries = await log.QueryAsync(new AuditQuery(Limit: 100));
        Assert.Equal(64, entries.Count);
        Assert.All(entries, e => Assert.Equal("ok", e.Outcome));
        // From the same pool: one of the log's own connections, which stay open once used.
        await using var connection = (Npgsql.NpgsqlConnection)await SchemaInstaller.OpenAsync(options);
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()", connection);
        Assert.InRange(Convert.ToInt32(await count.ExecuteScalarAsync()), 1, SqlAuditLog.WritesInFlight);
    }

    private static async Task KeepsTheContract(StorageOptions options)
    {
        await SchemaInstaller.ApplyAsync(options);
        var log = new SqlAuditLog(options);
        var t0 = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        AuditEntry Entry(int minute, string actor, string target, string action = "asset.status") => new()
        {
            At = t0.AddMinutes(minute), Actor = actor, ActorName = actor + " name", Role = "operator", Action = action, Target = target, Before = "operational",
        };

        var first = await log.BeginAsync(Entry(0, "key:a", "pole-1"));
        var second = await log.BeginAsync(Entry(1, "key:b", "pole-1"));
        var third = await log.BeginAsync(Entry(2, "key:a", "leo-1", "link.status"));
        Assert.True(first < second && second < third);
        Assert.Equal(AuditEntry.Pending, (await log.QueryAsync(new AuditQuery(Target: "leo-1")))[0].Outcome);

        await log.CompleteAsync(first, "ok", "offline", null);
        await log.CompleteAsync(second, "refused", null, "status: unknown");
        var pole = await log.QueryAsync(new AuditQuery(Target: "pole-1"));
        Assert.Equal([second, first], pole.Select(e => e.Seq)); // newest first
        Assert.Equal(("ok", "operational", "offline"), (pole[1].Outcome, pole[1].Before, pole[1].After));
        Assert.Equal(t0, pole[1].At);
        Assert.Equal("status: unknown", pole[0].Detail);

        Assert.Equal([third, first], (await log.QueryAsync(new AuditQuery(Actor: "key:a"))).Select(e => e.Seq));
        Assert.Equal([third], (await log.QueryAsync(new AuditQuery(Action: "link.status"))).Select(e => e.Seq));
        Assert.Equal([third, second], (await log.QueryAsync(new AuditQuery(Since: t0.AddMinutes(1)))).Select(e => e.Seq));
        Assert.Equal([third], (await log.QueryAsync(new AuditQuery(Limit: 1))).Select(e => e.Seq));
        Assert.Equal([second, first], (await log.QueryAsync(new AuditQuery(BeforeSeq: third))).Select(e => e.Seq));

        Assert.Equal(2, await log.DeleteOlderThanAsync(t0.AddMinutes(2)));
        Assert.Equal([third], (await log.QueryAsync(new AuditQuery())).Select(e => e.Seq));
    }
}
