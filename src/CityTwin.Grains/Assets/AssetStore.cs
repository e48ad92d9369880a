using System.Diagnostics;
using CityTwin.Contracts.Storage;
using CityTwin.Grains.Metrics;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace CityTwin.Grains.Assets;

/// <summary>
/// Writes the asset grains' states for the whole silo, many assets a transaction, instead of one storage write per
/// grain (a SQLite file commits 5–8k single writes a second; the same file takes a 2,000-row transaction in a few
/// milliseconds).
/// <list type="bullet">
/// <item><b>Write-through</b> (registration, commands, status): the caller awaits the batch that carries its state —
/// group commit: every write-through staged while a batch is written goes in the next one, so a cascade of a
/// thousand commands costs a few transactions, not a thousand.</item>
/// <item><b>Write-behind</b> (telemetry, what an asset heard from its sources): staged, newest state per asset, and
/// written every <see cref="TwinOptions.TelemetryWriteBehind"/> in chunks of <see cref="TwinOptions.AssetWriteBatchRows"/>;
/// pending write-throughs go between chunks, so a command never waits behind a city's telemetry. A crash loses at most
/// one window of it, never a write-through.</item>
/// </list>
/// Reads are batched the same way: activations that arrive together (a restart's first queries, an export, a cascade
/// over idle assets) share one query — on PostgreSQL a row query each had cold activations at 400–600/s, most of
/// their time the round trips' socket calls.
/// Every write carries the asset's stamp, rising per asset, and the table keeps the newest: chunks and retries can
/// land in any order. Until a staged state is written, a read of the same asset (a reactivation on this silo) gets it
/// from here rather than the older row. An asset stored by an earlier version (one grain storage row per asset, state
/// "asset") and absent from the table is read from there, and moves to the table with its next write; a database
/// without such rows is not asked.
/// </summary>
public sealed partial class AssetStore(
    IAssetTable table,
    [FromKeyedServices(StorageNames.Assets)] IGrainStorage earlier,
    Serializer<AssetGrainState> serializer,
    IOptions<TwinOptions> options,
    TwinMetrics metrics,
    ILogger<AssetStore> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly TimeSpan _window = options.Value.TelemetryWriteBehind;
    private readonly int _batchRows = Math.Max(1, options.Value.AssetWriteBatchRows);
    private readonly object _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<string, Staged> _through = new(StringComparer.Ordinal);
    private Dictionary<string, Staged> _behind = new(StringComparer.Ordinal);
    // What the loop is writing now: still the newest state of these assets until their rows are in.
    private Dictionary<string, Staged>? _writingThrough;
    private Dictionary<string, Staged>? _writingBehind;
    private int _wakePending;
    private Task? _loop;
    // Activations waiting for their rows, and the queries out for them (see ReadPendingAsync).
    private const int ReadBatchesInFlight = 4;
    private Dictionary<string, TaskCompletionSource<AssetRow?>> _reads = new(StringComparer.Ordinal);
    private int _readBatches;

    /// <summary>
    /// An asset's state for its activation. A refused read fails as <see cref="StorageUnavailableException"/>: the
    /// activation's caller gets it without the call filter that translates the driver's exceptions (an activation that
    /// fails is answered before any filter runs), and the driver's exceptions have no codec — a GET of an asset during
    /// a database hiccup was a 500 (the serializer's error) instead of a 503.
    /// </summary>
    public async Task<(AssetGrainState? State, long Stamp)> ReadAsync(GrainId grain)
    {
        var id = grain.Key.ToString()!;
        Task<AssetRow?> read;
        bool start;
        lock (_gate)
        {
            if (Find(id) is { } staged) return (staged.State, staged.Stamp);
            if (!_reads.TryGetValue(id, out var pending)) _reads[id] = pending = new(TaskCreationOptions.RunContinuationsAsynchronously);
            read = pending.Task;
            if (start = _readBatches < ReadBatchesInFlight) _readBatches++;
        }
        if (start) _ = Task.Run(ReadPendingAsync); // off the grain's scheduler: the loop serves every grain's reads
        try
        {
            if (await read is { } row) return (serializer.Deserialize(row.Payload), row.Stamp);
            if (!await table.HoldsEarlierAssetsAsync()) return (null, 0); // a new asset: no second query (it halved imports on PostgreSQL)
            var before = new GrainState<AssetGrainState>();
            await earlier.ReadStateAsync("asset", grain, before);
            return (before.RecordExists ? before.State : null, 0);
        }
        catch (Exception e) when (StorageFaults.IsStorageFault(e))
        {
            LogReadFailed(id, e.Message);
            throw StorageUnavailableException.Because(e);
        }
    }

    /// <summary>
    /// Reads the waiting ids, up to a write batch's rows a query, until none wait. Only <see cref="ReadBatchesInFlight"/>
    /// of these run at once, so reads that arrive while they are out gather into the next query (group commit, for
    /// reads): a lone activation still reads at once, and a thousand at once cost a few queries, not a thousand.
    /// </summary>
    private async Task ReadPendingAsync()
    {
        while (true)
        {
            Dictionary<string, TaskCompletionSource<AssetRow?>> batch;
            lock (_gate)
            {
                if (_reads.Count == 0)
                {
                    _readBatches--;
                    return;
                }
                if (_reads.Count <= _batchRows) (batch, _reads) = (_reads, new(StringComparer.Ordinal));
                else
                {
                    batch = new(_reads.Take(_batchRows), StringComparer.Ordinal);
                    foreach (var id in batch.Keys) _reads.Remove(id);
                }
            }
            try
            {
                foreach (var row in await table.ReadAsync(batch.Keys))
                {
                    if (batch.Remove(row.Id, out var reader)) reader.TrySetResult(row);
                }
                foreach (var reader in batch.Values) reader.TrySetResult(null); // no row: new, or stored by an earlier version
            }
            catch (Exception e)
            {
                foreach (var reader in batch.Values) reader.TrySetException(e);
            }
        }
    }

    /// <summary>Stages the state to be written within the window; returns at once.</summary>
    public void WriteBehind(string id, long stamp, AssetGrainState state)
    {
        lock (_gate)
        {
            if (_through.TryGetValue(id, out var through)) through.Update(stamp, state); // goes with the write-through
            else if (_behind.TryGetValue(id, out var behind)) behind.Update(stamp, state);
            else _behind[id] = new Staged(id, stamp, state);
        }
        EnsureRunning();
        if (_window <= TimeSpan.Zero) Wake(); // no window: written with the next batch, at once
    }

    /// <summary>Writes the state with the next batch; completes when it is stored, or fails if storage refused it.</summary>
    public Task WriteThroughAsync(string id, long stamp, AssetGrainState state)
    {
        Task written;
        lock (_gate)
        {
            if (!_through.TryGetValue(id, out var staged))
            {
                _through[id] = staged = _behind.Remove(id, out var behind) ? behind : new Staged(id, stamp, state);
            }
            staged.Update(stamp, state);
            written = (staged.Durable ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        if (_stopping.IsCancellationRequested) _ = Task.Run(WriteThroughPendingAsync); // a late deactivation: no loop to wait for
        else EnsureRunning();
        Wake();
        return written;
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0) _wake.Release();
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        // Started early and so stopped late: after the grains' deactivation has staged their last states.
        lifecycle.Subscribe(nameof(AssetStore), ServiceLifecycleStage.RuntimeInitialize, _ => Task.CompletedTask, StopAsync);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is { } loop) await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await WriteThroughPendingAsync();
        await WriteBehindPendingAsync();
    }

    private void EnsureRunning()
    {
        if (_loop is not null || _stopping.IsCancellationRequested) return;
        lock (_gate) _loop ??= Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        var clock = Stopwatch.StartNew();
        var nextBehind = _window;
        try
        {
            while (true)
            {
                var wait = _window <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : nextBehind - clock.Elapsed;
                if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero) await _wake.WaitAsync(wait, _stopping.Token);
                Volatile.Write(ref _wakePending, 0);
                await WriteThroughPendingAsync();
                if (clock.Elapsed < nextBehind) continue;
                await WriteBehindPendingAsync();
                nextBehind = clock.Elapsed + _window;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task WriteThroughPendingAsync()
    {
        while (true)
        {
            Dictionary<string, Staged> batch;
            lock (_gate)
            {
                if (_through.Count == 0) return;
                (batch, _through) = (_through, new(StringComparer.Ordinal));
                _writingThrough = batch;
            }
            foreach (var chunk in batch.Values.Chunk(_batchRows)) await WriteAsync(chunk);
            lock (_gate) _writingThrough = null;
        }
    }

    private async Task WriteBehindPendingAsync()
    {
        Dictionary<string, Staged> batch;
        lock (_gate)
        {
            if (_behind.Count == 0) return;
            (batch, _behind) = (_behind, new(StringComparer.Ordinal));
            _writingBehind = batch;
        }
        foreach (var chunk in batch.Values.Chunk(_batchRows))
        {
            await WriteAsync(chunk);
            await WriteThroughPendingAsync(); // commands first: none waits behind the whole window's telemetry
        }
        lock (_gate) _writingBehind = null;
    }

    private async Task WriteAsync(Staged[] chunk)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var rows = new AssetRow[chunk.Length];
            for (var i = 0; i < chunk.Length; i++) rows[i] = new AssetRow(chunk[i].Id, chunk[i].Stamp, serializer.SerializeToArray(chunk[i].State));
            await table.WriteAsync(rows);
            metrics.AssetRowsWritten(chunk.Length, Stopwatch.GetElapsedTime(started));
            foreach (var staged in chunk) staged.Durable?.TrySetResult();
        }
        catch (Exception e)
        {
            LogWriteFailed(e, chunk.Length);
            metrics.AssetWriteFailed();
            lock (_gate)
            {
                foreach (var staged in chunk)
                {
                    // A write-through fails to its caller, who rolls back; a write-behind waits for the next window
                    // unless a newer state of the asset is staged already.
                    if (staged.Durable is { } durable) durable.TrySetException(e);
                    else if (!_through.ContainsKey(staged.Id)) _behind.TryAdd(staged.Id, staged);
                }
            }
        }
    }

    /// <summary>The newest staged state of an asset (under the lock): staged beats being written, being written beats the table.</summary>
    private Staged? Find(string id) =>
        _through.GetValueOrDefault(id) ?? _behind.GetValueOrDefault(id)
        ?? _writingThrough?.GetValueOrDefault(id) ?? _writingBehind?.GetValueOrDefault(id);

    public void Dispose()
    {
        _stopping.Dispose();
        _wake.Dispose();
    }

    /// <summary>An asset's newest state waiting to be written; mutated only under the store's lock, before its batch is taken.</summary>
    private sealed class Staged(string id, long stamp, AssetGrainState state)
    {
        public string Id { get; } = id;
        public long Stamp { get; private set; } = stamp;
        public AssetGrainState State { get; private set; } = state;
        public TaskCompletionSource? Durable { get; set; }

        public void Update(long stamp, AssetGrainState state)
        {
            if (stamp < Stamp) return;
            (Stamp, State) = (stamp, state);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading asset {Id} failed, the database is unavailable: {Reason}")]
    private partial void LogReadFailed(string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} asset states failed; write-throughs fail to their callers, the rest is retried next window")]
    private partial void LogWriteFailed(Exception exception, int count);
}
