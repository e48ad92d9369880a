using Microsoft.Data.Sqlite;

namespace CityTwin.Storage;

/// <summary>
/// The asset table in the SQLite file: a batch is one transaction of prepared UPSERTs, so its cost is one commit
/// rather than one per asset. Writes pass the process's <see cref="SqliteWriteGate"/>, like every other grain write.
/// </summary>
internal sealed class SqliteAssetTable(StorageOptions options, SqliteWriteGate gate) : IAssetTable
{
    private readonly string _synchronous = options.SqliteSynchronous.ToString().ToUpperInvariant();

    public async Task<AssetRow?> ReadAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA cache_size = -256; SELECT Stamp, Payload FROM CityTwinAsset WHERE ServiceId = $service AND Id = $id";
        read.Parameters.AddWithValue("$service", options.ServiceId);
        read.Parameters.AddWithValue("$id", id);
        await using var row = await read.ExecuteReaderAsync(cancellationToken);
        return await row.ReadAsync(cancellationToken) ? new AssetRow(id, row.GetInt64(0), (byte[])row.GetValue(1)) : null;
    }

    public Task WriteAsync(IReadOnlyList<AssetRow> rows, CancellationToken cancellationToken = default) =>
        rows.Count == 0 ? Task.CompletedTask : gate.ExclusiveAsync(() => Write(rows, cancellationToken));

    private async Task Write(IReadOnlyList<AssetRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = $"PRAGMA synchronous = {_synchronous}; PRAGMA cache_size = -256;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var upsert = connection.CreateCommand();
        upsert.Transaction = tx;
        upsert.CommandText = """
            INSERT INTO CityTwinAsset (ServiceId, Id, Stamp, Payload) VALUES ($service, $id, $stamp, $payload)
            ON CONFLICT (ServiceId, Id) DO UPDATE SET Stamp = excluded.Stamp, Payload = excluded.Payload
            WHERE excluded.Stamp > CityTwinAsset.Stamp
            """;
        upsert.Parameters.AddWithValue("$service", options.ServiceId);
        var id = upsert.Parameters.Add("$id", SqliteType.Text);
        var stamp = upsert.Parameters.Add("$stamp", SqliteType.Integer);
        var payload = upsert.Parameters.Add("$payload", SqliteType.Blob);
        upsert.Prepare();
        foreach (var row in rows)
        {
            (id.Value, stamp.Value, payload.Value) = (row.Id, row.Stamp, row.Payload);
            upsert.ExecuteNonQuery();
        }
        await tx.CommitAsync(cancellationToken);
    }
}
