using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace CityTwin.Storage;

/// <summary>
/// The asset table in the SQLite file: a batch is one transaction of prepared UPSERTs, so its cost is one commit
/// rather than one per asset; a read of many ids is one kept connection and its prepared SELECT. Writes pass the
/// process's <see cref="SqliteWriteGate"/>, like every other grain write.
/// </summary>
internal sealed class SqliteAssetTable(StorageOptions options, SqliteWriteGate gate) : IAssetTable, IDisposable
{
    // Readers stay open with their SELECT compiled: opening a connection, sizing its cache and preparing the statement
    // for every batch of reads was a tenth of a silo's CPU while cold GETs activated thousands of assets a second
    // (profile in docs/architecture.md). As many as reads ran at once (the asset store runs a few); one that failed is dropped.
    private readonly ConcurrentBag<Reader> _readers = [];

    private readonly string _synchronous = options.SqliteSynchronous.ToString().ToUpperInvariant();

    // Orleans' ADO.NET storage keeps the state's name as the grain type ("asset" was the asset grain's state).
    private const string EarlierAssets = "SELECT EXISTS (SELECT 1 FROM OrleansStorage WHERE ServiceId = $service AND GrainTypeString = 'asset')";
    private Task<bool>? _holdsEarlier;

    public async Task<IReadOnlyList<AssetRow>> ReadAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return [];
        var reader = _readers.TryTake(out var kept) ? kept : await Reader.OpenAsync(options, cancellationToken);
        try
        {
            var rows = reader.Read(ids);
            _readers.Add(reader);
            return rows;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        while (_readers.TryTake(out var reader)) reader.Dispose();
    }

    /// <summary>A connection and its prepared SELECT, run once per id: in process, a lookup costs microseconds.</summary>
    private sealed class Reader(SqliteConnection connection, SqliteCommand select, SqliteParameter id) : IDisposable
    {
        public static async Task<Reader> OpenAsync(StorageOptions options, CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(options.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                await using (var pragma = connection.CreateCommand())
                {
                    pragma.CommandText = "PRAGMA cache_size = -256;";
                    await pragma.ExecuteNonQueryAsync(cancellationToken);
                }
                var select = connection.CreateCommand();
                select.CommandText = "SELECT Stamp, Payload FROM CityTwinAsset WHERE ServiceId = $service AND Id = $id";
                select.Parameters.AddWithValue("$service", options.ServiceId);
                var id = select.Parameters.Add("$id", SqliteType.Text);
                select.Prepare();
                return new Reader(connection, select, id);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public List<AssetRow> Read(IReadOnlyCollection<string> ids)
        {
            var rows = new List<AssetRow>(ids.Count);
            foreach (var each in ids)
            {
                id.Value = each;
                using var row = select.ExecuteReader(); // disposing it resets the statement: no read transaction stays open
                if (row.Read()) rows.Add(new AssetRow(each, row.GetInt64(0), (byte[])row.GetValue(1)));
            }
            return rows;
        }

        public void Dispose()
        {
            select.Dispose();
            connection.Dispose();
        }
    }

    public Task<bool> HoldsEarlierAssetsAsync(CancellationToken cancellationToken = default) =>
        _holdsEarlier is { IsFaulted: false, IsCanceled: false } known ? known : _holdsEarlier = QueryEarlierAssetsAsync(cancellationToken); // one query at a time; again after a failure

    private async Task<bool> QueryEarlierAssetsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = EarlierAssets;
        query.Parameters.AddWithValue("$service", options.ServiceId);
        return Convert.ToInt64(await query.ExecuteScalarAsync(cancellationToken)) == 1;
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
