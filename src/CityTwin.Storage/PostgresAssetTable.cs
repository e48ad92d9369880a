using Npgsql;
using NpgsqlTypes;

namespace CityTwin.Storage;

/// <summary>
/// The asset table in PostgreSQL: a batch is one <c>INSERT … SELECT FROM unnest(…) ON CONFLICT</c> statement with
/// the rows as three array parameters, so a thousand assets cost one round trip and one commit. Connections come from
/// the same pool as Orleans' own storage (Npgsql pools by connection string): a pool of its own would add up to a
/// hundred connections per silo, and a fresh cluster's activations filled a 300-connection server with them.
/// </summary>
internal sealed class PostgresAssetTable(StorageOptions options) : IAssetTable
{
    private const string Upsert = """
        INSERT INTO citytwin_asset (service_id, id, stamp, payload)
        SELECT $1, r.id, r.stamp, r.payload FROM unnest($2::varchar[], $3::bigint[], $4::bytea[]) AS r(id, stamp, payload)
        ON CONFLICT (service_id, id) DO UPDATE SET stamp = excluded.stamp, payload = excluded.payload
        WHERE citytwin_asset.stamp < excluded.stamp
        """;

    public async Task<AssetRow?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var read = new NpgsqlCommand("SELECT stamp, payload FROM citytwin_asset WHERE service_id = $1 AND id = $2", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = options.ServiceId });
        read.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var row = await read.ExecuteReaderAsync(cancellationToken);
        return await row.ReadAsync(cancellationToken) ? new AssetRow(id, row.GetInt64(0), (byte[])row.GetValue(1)) : null;
    }

    public async Task WriteAsync(IReadOnlyList<AssetRow> rows, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0) return;
        var (ids, stamps, payloads) = (new string[rows.Count], new long[rows.Count], new byte[rows.Count][]);
        for (var i = 0; i < rows.Count; i++) (ids[i], stamps[i], payloads[i]) = (rows[i].Id, rows[i].Stamp, rows[i].Payload);
        await using var connection = await OpenAsync(cancellationToken);
        await using var write = new NpgsqlCommand(Upsert, connection);
        write.Parameters.Add(new NpgsqlParameter { Value = options.ServiceId });
        write.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        write.Parameters.Add(new NpgsqlParameter { Value = stamps, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        write.Parameters.Add(new NpgsqlParameter { Value = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await write.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        (NpgsqlConnection)await SchemaInstaller.OpenAsync(options, cancellationToken);
}
