namespace CityTwin.Grains.Scenarios;

/// <summary>
/// The silo's scenario slots: <see cref="ScenarioOptions.MaxConcurrent"/> run at once, up to
/// <see cref="ScenarioOptions.MaxQueued"/> wait, and anything beyond is refused at admission.
/// </summary>
public sealed class ScenarioLimiter : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private int _admitted;
    private int _running;

    public ScenarioLimiter(IOptions<ScenarioOptions> options)
    {
        MaxConcurrent = Math.Max(1, options.Value.MaxConcurrent);
        MaxQueued = Math.Max(0, options.Value.MaxQueued);
        _slots = new SemaphoreSlim(MaxConcurrent, MaxConcurrent);
    }

    public int MaxConcurrent { get; }
    public int MaxQueued { get; }
    public int Running => Volatile.Read(ref _running);
    /// <summary>Admitted runs not yet running.</summary>
    public int QueueDepth => Math.Max(0, Volatile.Read(ref _admitted) - Volatile.Read(ref _running));

    /// <summary>Reserves a place (running or queued); false when every place is taken. Follow with <see cref="AcquireAsync"/> or <see cref="Leave"/>.</summary>
    public bool TryAdmit()
    {
        if (Interlocked.Increment(ref _admitted) <= MaxConcurrent + MaxQueued) return true;
        Interlocked.Decrement(ref _admitted);
        return false;
    }

    /// <summary>Waits for a slot; dispose the result to give the slot and the place back.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _running);
        return new Slot(this);
    }

    /// <summary>
    /// Takes a place beyond the admission bound and waits for a slot: for a sweep's runs, which its coordinator already
    /// bounds (a few per silo), so they share the slots with scenarios without taking their queue places.
    /// </summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _admitted);
        try
        {
            return await AcquireAsync(cancellationToken);
        }
        catch
        {
            Leave();
            throw;
        }
    }

    /// <summary>
    /// Keeps an admitted place only if <paramref name="store"/> stores the job that took it: if storing fails, the
    /// job's state is put back (<paramref name="undo"/>) and the place given back before the failure goes to the caller.
    /// </summary>
    public async Task KeepIfStoredAsync(Func<Task> store, Action undo)
    {
        try
        {
            await store();
        }
        catch
        {
            undo();
            Leave();
            throw;
        }
    }

    /// <summary>Gives back a place that never got a slot (cancelled while queued).</summary>
    public void Leave() => Interlocked.Decrement(ref _admitted);

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(ScenarioLimiter limiter) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            Interlocked.Decrement(ref limiter._running);
            Interlocked.Decrement(ref limiter._admitted);
            limiter._slots.Release();
        }
    }
}
