using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Feed;
using Microsoft.Extensions.Hosting;

namespace CityTwin.Grains.Streams;

/// <summary>
/// Gathers the district changes that telemetry causes and hands them, per district, every
/// <see cref="TwinOptions.ChangeCoalescing"/> window, to the district's three consumers — its read model
/// (<see cref="IDistrictGrain"/>), its alarms and its live feed — keeping only the newest change of each asset (a change
/// carries the asset's whole projection, so the newest says everything). At 100,000 readings a second that turns
/// 100,000 events into three calls per district and window, and a reading's call returns without waiting for them.
/// The calls are direct, not a stream message: a memory stream serialises every batch into its queue and back out
/// (measured: change events were the largest share of the silo's CPU under ingest), while a call between grains of one
/// silo passes the immutable changes as they are. Status changes and cascades do not come here: they are published
/// on the district's <c>changes</c> stream at once, and every consumer applies whichever change of an asset has the
/// higher sequence, so the two paths never undo each other. What is buffered when a silo dies is lost like any
/// in-flight event: the asset re-announces itself on its next activation.
/// <para>
/// It also carries what a district shows of the readings it applied itself (<see cref="Show"/>), to the feed only:
/// a district used to arm a one-shot grain timer per window for that, thousands a second across a city's districts;
/// one loop for the silo does the same (no throughput change measured either way: docs/architecture.md#decisions).
/// </para>
/// </summary>
public sealed partial class ChangeCoalescer(IGrainFactory grains, IOptions<TwinOptions> options, ILogger<ChangeCoalescer> logger) : IHostedService, IDisposable
{
    private readonly TimeSpan _window = options.Value.ChangeCoalescing;
    private readonly object _gate = new();
    private Dictionary<string, Dictionary<string, AssetChange>> _pending = [], _spare = [];
    private Dictionary<string, Dictionary<string, AssetChange>> _shown = [], _spareShown = [];
    private bool _queued; // anything queued since the last flush
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>Queues the change for its district's next delivery; replaces an older change of the same asset.</summary>
    public void Add(string district, AssetChange change)
    {
        lock (_gate) Queue(_pending, district, change);
    }

    /// <summary>Queues what a district shows of its own readings for its feed's next delivery (the read model is the district itself).</summary>
    public void Show(string district, AssetChange change)
    {
        lock (_gate) Queue(_shown, district, change);
    }

    private void Queue(Dictionary<string, Dictionary<string, AssetChange>> queue, string district, AssetChange change)
    {
        if (!queue.TryGetValue(district, out var changes)) queue[district] = changes = new(StringComparer.Ordinal);
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(changes, change.Summary.Id, out var exists);
        if (!exists || slot!.Sequence < change.Sequence) slot = change;
        _queued = true;
        _loop ??= Task.Run(LoopAsync);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_loop is { } loop) await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await FlushAsync();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_window);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token)) await FlushAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FlushAsync()
    {
        Dictionary<string, Dictionary<string, AssetChange>> batch, shown;
        lock (_gate)
        {
            if (!_queued) return;
            _queued = false;
            (batch, _pending, _spare) = (_pending, _spare, _pending);
            (shown, _shown, _spareShown) = (_shown, _spareShown, _shown);
        }
        await Task.WhenAll(batch.Where(d => d.Value.Count > 0).Select(d => PublishAsync(d.Key, d.Value, feedOnly: false))
            .Concat(shown.Where(d => d.Value.Count > 0).Select(d => PublishAsync(d.Key, d.Value, feedOnly: true))));
        // Each district's dictionary is kept for a later window, cleared: at a hundred thousand changes a second,
        // growing new ones every window was a steady share of the silo's allocations.
        foreach (var changes in batch.Values) changes.Clear();
        foreach (var changes in shown.Values) changes.Clear();
    }

    /// <param name="feedOnly">What a district showed of its own readings: its feed's, not its read model's or alarms'.</param>
    private async Task PublishAsync(string district, Dictionary<string, AssetChange> changes, bool feedOnly)
    {
        AssetChange[] batch = [.. changes.Values];
        try
        {
            var feed = grains.GetGrain<IFeedGrain>(district).OnChangesAsync(batch);
            await (feedOnly ? feed : Task.WhenAll(
                grains.GetGrain<IDistrictGrain>(district).OnChangesAsync(batch),
                grains.GetGrain<IAlarmGrain>(district).OnChangesAsync(batch),
                feed));
        }
        catch (Exception e)
        {
            // Keep them for the next window unless a newer change arrived meanwhile (district and alarms ignore what
            // they already applied; the feed may show a change twice, which its subscribers treat like any repeat).
            LogPublishFailed(e, district, changes.Count);
            lock (_gate)
                foreach (var change in batch) Queue(feedOnly ? _shown : _pending, district, change);
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering {Count} coalesced changes of district {District} failed; retrying next window")]
    private partial void LogPublishFailed(Exception exception, string district, int count);
}
