using Microsoft.Extensions.Hosting;

namespace CityTwin.Grains.Streams;

/// <summary>
/// Gathers the district changes that telemetry causes and publishes them per district as one stream message every
/// <see cref="TwinOptions.ChangeCoalescing"/> window, keeping only the newest change of each asset (a change carries
/// the asset's whole projection, so the newest says everything). At 100,000 readings a second that turns 100,000
/// queue calls into a few per district and window, and a reading's call returns without waiting for the queue.
/// Status changes and cascades do not come here: they are published at once, and a district applies whichever
/// change of an asset has the higher sequence, so the two paths never undo each other. What is buffered when a
/// silo dies is lost like any in-flight event: the asset re-announces itself on its next activation.
/// </summary>
public sealed partial class ChangeCoalescer(IOptions<TwinOptions> options, ILogger<ChangeCoalescer> logger) : IHostedService, IDisposable
{
    private readonly TimeSpan _window = options.Value.ChangeCoalescing;
    private readonly object _gate = new();
    private Dictionary<string, Dictionary<string, AssetChange>> _pending = [];
    private Dictionary<string, Dictionary<string, AssetChange>> _spare = [];
    private IStreamProvider? _streams;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <summary>Queues the change for its district's next message; replaces an older change of the same asset.</summary>
    public void Add(IStreamProvider streams, string district, AssetChange change)
    {
        lock (_gate)
        {
            _streams ??= streams;
            if (!_pending.TryGetValue(district, out var changes)) _pending[district] = changes = new(StringComparer.Ordinal);
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(changes, change.Summary.Id, out var exists);
            if (!exists || slot!.Sequence < change.Sequence) slot = change;
            _loop ??= Task.Run(LoopAsync);
        }
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
        Dictionary<string, Dictionary<string, AssetChange>> batch;
        lock (_gate)
        {
            if (_pending.Count == 0) return;
            (batch, _pending, _spare) = (_pending, _spare, _pending);
        }
        await Task.WhenAll(batch.Select(d => PublishAsync(d.Key, d.Value)));
        batch.Clear();
    }

    private async Task PublishAsync(string district, Dictionary<string, AssetChange> changes)
    {
        try
        {
            await _streams!.PublishBatchAsync(TwinStreams.Changes, district, [.. changes.Values]);
        }
        catch (Exception e)
        {
            // Keep them for the next window unless a newer change arrived meanwhile.
            LogPublishFailed(e, district, changes.Count);
            foreach (var change in changes.Values) Add(_streams!, district, change);
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} coalesced changes of district {District} failed; retrying next window")]
    private partial void LogPublishFailed(Exception exception, string district, int count);
}
