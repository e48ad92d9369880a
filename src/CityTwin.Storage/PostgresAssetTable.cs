using Npgsql;
using NpgsqlTypes;

namespace CityTwin.Storage;

/// <summary>
/// The asset table in PostgreSQL: a batch is one <c>INSERT … SELECT FROM unnest(…) ON CONFLICT</c> statement with
/// the rows as three array parameters, so a thousand assets cost one round trip and one commit; reads likewise take
/// many ids in one <c>= ANY(…)</c>. Connections come from
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

    // Orleans' ADO.NET storage keeps the state's name as the grain type ("asset" was the asset grain's state).
    private const string EarlierAssets = "SELECT EXISTS (SELECT 1 FROM OrleansStorage WHERE ServiceId = $1 AND GrainTypeString = 'asset')";
    private Task<bool>? _holdsEarlier;

    public async Task<IReadOnlyList<AssetRow>> ReadAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return [];
        await using var connection = await OpenAsync(cancellationToken);
        await using var read = new NpgsqlCommand("SELECT id, stamp, payload FROM citytwin_asset WHERE service_id = $1 AND id = ANY($2)", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = options.ServiceId });
        read.Parameters.Add(new NpgsqlParameter { Value = ids as string[] ?? [.. ids], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        await using var row = await read.ExecuteReaderAsync(cancellationToken);
        var rows = new List<AssetRow>(ids.Count);
        while (await row.ReadAsync(cancellationToken)) rows.Add(new AssetRow(row.GetString(0), row.GetInt64(1), (byte[])row.GetValue(2)));
        return rows;
    }

    public Task<bool> HoldsEarlierAssetsAsync(CancellationToken cancellationToken = default) =>
        _holdsEarlier is { IsFaulted: false, IsCanceled: false } known ? known : _holdsEarlier = QueryEarlierAssetsAsync(cancellationToken); // one query at a time; again after a failure

    private async Task<bool> QueryEarlierAssetsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(EarlierAssets, connection);
        query.Parameters.Add(new NpgsqlParameter { Value = options.ServiceId });
        return (bool)(await query.ExecuteScalarAsync(cancellationToken))!;
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
