using Orleans.Runtime;
using Orleans.Storage;

namespace CityTwin.Storage;

/// <summary>
/// Lets one grain write reach the SQLite file at a time. SQLite has a single writer, and Microsoft.Data.Sqlite
/// waits for a busy lock by sleeping on the calling thread: without this gate, concurrent grain writes park
/// Orleans' scheduler threads for seconds. With it, waiting writers await without holding a thread and each
/// write finds the file free. Reads pass straight through (WAL lets them run beside the writer).
/// Measured with 200 grains writing flat out for 10 s: throughput is the same either way (5–8k writes/s on this 2-core machine), but
/// without the gate 125 of the 200 grains completed at most one write, while with it each completed ~420.
/// </summary>
internal sealed class SqliteWriteGate(IGrainStorage inner) : IGrainStorage
{
    private readonly SemaphoreSlim _writer = new(1, 1);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _writer.WaitAsync();
        try { await inner.WriteStateAsync(stateName, grainId, grainState); }
        finally { _writer.Release(); }
    }

    /// <summary>Runs another write to the file (the asset table's batches) as one of the gate's writes.</summary>
    public async Task ExclusiveAsync(Func<Task> write)
    {
        await _writer.WaitAsync();
        try { await write(); }
        finally { _writer.Release(); }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await _writer.WaitAsync();
        try { await inner.ClearStateAsync(stateName, grainId, grainState); }
        finally { _writer.Release(); }
    }
}
