namespace CityTwin.Grains;

/// <summary>
/// Coalesces writes of a grain's state: the first change arms a one-shot timer, later changes ride along,
/// and the timer (or deactivation, or a write-through) flushes once. Only grains with pending changes hold a timer.
/// The flush interleaves: while the write waits for storage (behind thousands of others on a busy SQLite file),
/// the grain keeps taking readings and stream events; the state is serialised in one turn when the write starts,
/// and a change made meanwhile arms the timer again.
/// </summary>
internal sealed class WriteBehind(IGrainBase grain, Func<Task> write, TimeSpan window)
{
    private IGrainTimer? _timer;

    public bool Pending { get; private set; }

    public Task MarkDirtyAsync()
    {
        if (window <= TimeSpan.Zero) return write(); // write-behind disabled: write through
        if (Pending) return Task.CompletedTask;
        Pending = true;
        if (_timer is null) _timer = grain.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(window, Timeout.InfiniteTimeSpan) { Interleave = true });
        else _timer.Change(window, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    /// <summary>Writes now (a write-through, for what must be stored before the grain answers or acts): the pending changes go with it.</summary>
    public async Task WriteThroughAsync()
    {
        await write();
        Pending = false;
    }

    public async Task FlushAsync()
    {
        if (!Pending) return;
        Pending = false;
        try
        {
            await write();
        }
        catch
        {
            Pending = true; // try again next window (the timer is gone if the grain is deactivating: the caller sees the error)
            try { _timer?.Change(window, Timeout.InfiniteTimeSpan); } catch (ObjectDisposedException) { }
            throw;
        }
    }
}
