using System.Collections.Concurrent;
using CityTwin.Grains.Assets;
using CityTwin.Storage;
using Orleans.Serialization;

namespace CityTwin.Grains.Tests;

/// <summary>
/// An in-memory asset table that keeps the rows as the silo's asset store wrote them (serialized, newest stamp wins,
/// like the real tables) and counts writes per asset and batches, to observe write-through, write-behind and group
/// commit. The rows outlive a silo (they belong to the fixture), so a restarted silo reads what the previous one wrote.
/// </summary>
public sealed class RecordingAssetTable(Serializer serializer, ConcurrentDictionary<string, AssetRow> rows, Func<bool> holdsEarlierAssets) : IAssetTable
{
    private readonly ConcurrentDictionary<string, int> _writes = new();
    private int _batches;
    private int _reads;

    /// <summary>Set to make every write fail (storage down).</summary>
    public bool Failing { get; set; }

    public int Batches => _batches;

    public int WritesOf(string id) => _writes.GetValueOrDefault(id);

    public AssetGrainState? Stored(string id) => rows.TryGetValue(id, out var row) ? serializer.Deserialize<AssetGrainState>(row.Payload) : null;

    /// <summary>Assets whose rows cannot be read (the database refuses: the driver's exception, as a real table's).</summary>
    public ConcurrentDictionary<string, bool> UnreadableIds { get; } = new();

    /// <summary>Reads (calls, however many ids each carried).</summary>
    public int Reads => _reads;

    /// <summary>How long a read takes, as a database round trip would.</summary>
    public TimeSpan ReadLatency { get; set; }

    public async Task<IReadOnlyList<AssetRow>> ReadAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Any(UnreadableIds.ContainsKey)) throw new RefusedException();
        Interlocked.Increment(ref _reads);
        if (ReadLatency > TimeSpan.Zero) await Task.Delay(ReadLatency, cancellationToken);
        return [.. ids.Where(rows.ContainsKey).Select(id => rows[id])];
    }

    private sealed class RefusedException() : System.Data.Common.DbException("the database refused the read (test)");

    /// <summary>Asked every time (the real tables ask once a process): tests write earlier rows into a running silo.</summary>
    public Task<bool> HoldsEarlierAssetsAsync(CancellationToken cancellationToken = default) => Task.FromResult(holdsEarlierAssets());

    public Task WriteAsync(IReadOnlyList<AssetRow> batch, CancellationToken cancellationToken = default)
    {
        if (Failing) throw new IOException("storage is down (test)");
        Interlocked.Increment(ref _batches);
        foreach (var row in batch)
        {
            rows.AddOrUpdate(row.Id, row, (_, old) => row.Stamp > old.Stamp ? row : old);
            _writes.AddOrUpdate(row.Id, 1, (_, n) => n + 1);
        }
        return Task.CompletedTask;
    }
}
