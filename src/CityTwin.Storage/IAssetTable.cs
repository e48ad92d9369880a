namespace CityTwin.Storage;

/// <summary>
/// The asset grains' table: one row an asset, written many rows at a time (one transaction on SQLite, one statement
/// on PostgreSQL). A row only ever moves to a newer stamp, whatever order the writes arrive in.
/// </summary>
public interface IAssetTable
{
    /// <summary>The stored row of one asset, or null when it has none.</summary>
    Task<AssetRow?> ReadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Writes every row or none (ids are distinct within a call).</summary>
    Task WriteAsync(IReadOnlyList<AssetRow> rows, CancellationToken cancellationToken = default);
}
