namespace CityTwin.Storage;

/// <summary>
/// The asset grains' table: one row an asset, read and written many rows at a time (one transaction on SQLite, one
/// statement on PostgreSQL). A row only ever moves to a newer stamp, whatever order the writes arrive in.
/// </summary>
public interface IAssetTable
{
    /// <summary>The stored rows of these assets, in no particular order; an asset without a row has none in the answer.</summary>
    Task<IReadOnlyList<AssetRow>> ReadAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether grain storage still holds assets stored by an earlier version (one grain storage row an asset, state
    /// "asset"): only then must an asset without a row be looked up there too. Only an earlier version writes such
    /// rows, so the tables ask the database once a process.
    /// </summary>
    Task<bool> HoldsEarlierAssetsAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes every row or none (ids are distinct within a call).</summary>
    Task WriteAsync(IReadOnlyList<AssetRow> rows, CancellationToken cancellationToken = default);
}
