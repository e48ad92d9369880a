using CityTwin.Domain.Audit;
using System.Data.Common;
using System.Text;

namespace CityTwin.Storage;

/// <summary>
/// The audit log on either database: the same statements, with the table and column names and the time column's
/// type of each (SQLite: Unix milliseconds; PostgreSQL: timestamptz). Commands are few, so plain statements suffice.
/// In a silo on SQLite, writes pass the silo's write gate (<paramref name="exclusive"/>) like every other write: a
/// writer in another process would meet SQLite's lock and Microsoft.Data.Sqlite's sleeping retries (measured: a
/// failover test's 16 writers had only 49–82 commands acknowledged, under its floor of 100, while the API process wrote
/// the log itself; written here, through the gate, the same test passes on the same loaded machine).
/// On PostgreSQL at most <see cref="WritesInFlight"/> of them run at once, for the same reason in another form: the
/// audit grain is a reentrant stateless worker, so each command in flight held a connection of its own and took
/// every connection of a small pool (<see cref="StorageOptions.DefaultMaxPoolSize"/>) from Orleans' membership and
/// storage; a large pool grew by as many connections as commands came at once — each a server process, all of which
/// exit at once when the silo dies (8–15 ms of CPU apiece on this machine, in the 100 ms after its sockets close).
/// </summary>
public sealed class SqlAuditLog(StorageOptions options, Func<Func<Task>, Task>? exclusive = null) : IAuditLog
{
    /// <summary>How many audit statements one process runs at once on PostgreSQL (each takes a millisecond or two).</summary>
    public const int WritesInFlight = 4;

    private readonly SemaphoreSlim _writes = new(WritesInFlight, WritesInFlight);

    private Task Write(Func<Task> write) => exclusive is null ? GatedAsync(write) : exclusive(write);

    private async Task GatedAsync(Func<Task> write)
    {
        await _writes.WaitAsync();
        try { await write(); }
        finally { _writes.Release(); }
    }

    private readonly bool _sqlite = options.Provider == StorageProvider.Sqlite;
    private string Table => _sqlite ? "CityTwinAudit" : "citytwin_audit";
    private string C(string sqlite, string postgres) => _sqlite ? sqlite : postgres;

    public async Task<long> BeginAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        long seq = 0;
        await Write(async () => seq = await InsertAsync(entry, cancellationToken));
        return seq;
    }

    private async Task<long> InsertAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await SchemaInstaller.OpenAsync(options, cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.CommandText = $"""
            INSERT INTO {Table} ({C("ServiceId, At, Actor, ActorName, Role, Action, Target, Before, After, Outcome, Detail", "service_id, at, actor, actor_name, role, action, target, before, after, outcome, detail")})
            VALUES (@service, @at, @actor, @name, @role, @action, @target, @before, @after, @outcome, @detail) RETURNING {C("Seq", "seq")}
            """;
        Add(insert, "service", options.ServiceId);
        Add(insert, "at", Time(entry.At));
        Add(insert, "actor", Cut(entry.Actor, 300));
        Add(insert, "name", Cut(entry.ActorName, 300));
        Add(insert, "role", Cut(entry.Role, 100));
        Add(insert, "action", Cut(entry.Action, 100));
        Add(insert, "target", Cut(entry.Target, 512));
        Add(insert, "before", Cut(entry.Before, 1000));
        Add(insert, "after", Cut(entry.After, 1000));
        Add(insert, "outcome", Cut(entry.Outcome, 100));
        Add(insert, "detail", Cut(entry.Detail, 2000));
        return Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken));
    }

    public Task CompleteAsync(long seq, string outcome, string? after, string? detail, CancellationToken cancellationToken = default) =>
        Write(() => UpdateAsync(seq, outcome, after, detail, cancellationToken));

    private async Task UpdateAsync(long seq, string outcome, string? after, string? detail, CancellationToken cancellationToken)
    {
        await using var connection = await SchemaInstaller.OpenAsync(options, cancellationToken);
        await using var update = connection.CreateCommand();
        update.CommandText = $"UPDATE {Table} SET {C("Outcome", "outcome")} = @outcome, {C("After", "after")} = @after, {C("Detail", "detail")} = COALESCE(@detail, {C("Detail", "detail")}) WHERE {C("ServiceId", "service_id")} = @service AND {C("Seq", "seq")} = @seq";
        Add(update, "outcome", Cut(outcome, 100));
        Add(update, "after", Cut(after, 1000));
        Add(update, "detail", Cut(detail, 2000));
        Add(update, "service", options.ServiceId);
        Add(update, "seq", seq);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await SchemaInstaller.OpenAsync(options, cancellationToken);
        await using var select = connection.CreateCommand();
        var sql = new StringBuilder($"""
            SELECT {C("Seq, At, Actor, ActorName, Role, Action, Target, Before, After, Outcome, Detail", "seq, at, actor, actor_name, role, action, target, before, after, outcome, detail")}
            FROM {Table} WHERE {C("ServiceId", "service_id")} = @service
            """);
        Add(select, "service", options.ServiceId);
        void Where(string column, string name, object? value)
        {
            if (value is null) return;
            sql.Append($" AND {column} @{name}");
            Add(select, name, value);
        }
        Where(C("Actor =", "actor ="), "actor", query.Actor);
        Where(C("Target =", "target ="), "target", query.Target);
        Where(C("Action =", "action ="), "action", query.Action);
        Where(C("At >=", "at >="), "since", query.Since is { } since ? Time(since) : null);
        Where(C("At <", "at <"), "until", query.Until is { } until ? Time(until) : null);
        Where(C("Seq <", "seq <"), "before", query.BeforeSeq);
        sql.Append($" ORDER BY {C("Seq", "seq")} DESC LIMIT @limit");
        Add(select, "limit", Math.Clamp(query.Limit, 1, 1_000));
        select.CommandText = sql.ToString();

        var entries = new List<AuditEntry>();
        await using var row = await select.ExecuteReaderAsync(cancellationToken);
        while (await row.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry
            {
                Seq = row.GetInt64(0),
                At = _sqlite ? DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1)) : row.GetFieldValue<DateTimeOffset>(1),
                Actor = row.GetString(2), ActorName = row.GetString(3), Role = row.GetString(4), Action = row.GetString(5), Target = row.GetString(6),
                Before = row.IsDBNull(7) ? null : row.GetString(7), After = row.IsDBNull(8) ? null : row.GetString(8),
                Outcome = row.GetString(9), Detail = row.IsDBNull(10) ? null : row.GetString(10),
            });
        }
        return entries;
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        await Write(async () => deleted = await DeleteAsync(cutoff, cancellationToken));
        return deleted;
    }

    private async Task<int> DeleteAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await SchemaInstaller.OpenAsync(options, cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.CommandText = $"DELETE FROM {Table} WHERE {C("ServiceId", "service_id")} = @service AND {C("At", "at")} < @cutoff";
        Add(delete, "service", options.ServiceId);
        Add(delete, "cutoff", Time(cutoff));
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private object Time(DateTimeOffset at) => _sqlite ? at.ToUnixTimeMilliseconds() : at.ToUniversalTime();

    private static string? Cut(string? text, int max) => text is null || text.Length <= max ? text : text[..max];

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
