namespace CityTwin.Storage;

/// <summary>
/// A client (the API) reaches every grain through one of the silos' gateways: Orleans' client pins each grain to a
/// gateway (by a hash of its id), so about half of a surviving silo's grains are reached through a silo that dies.
/// A request that was sent through that gateway is never answered once its connection is gone — the answer had no way
/// back — and Orleans' client keeps waiting for its response timeout (30 s): it does not fail the calls of a lost
/// gateway connection (dotnet/orleans#10165 tracks the gateway side of this). Reads are idempotent, so
/// <see cref="ReadAsync{T}"/> sends a read again when a gateway connection is lost while it waits; the new request
/// takes a live gateway (the lost connection is no longer used). A read that was going through a healthy gateway is
/// sent twice, which costs one more call and changes nothing. Commands are not sent again (a copy could overtake the
/// caller's next command): <see cref="CommandAsync{T}"/> gives one caught by a lost gateway <see cref="CommandGrace"/>
/// to answer — one that went through a live gateway does — and then gives up on it as
/// <see cref="CommandOutcomeUnknownException"/> (a 503) instead of waiting out the 30 s response timeout for the same
/// answer. Registered by <see cref="OrleansStorageExtensions.UseCityTwinClustering"/> as the client's connection observer.
/// </summary>
public sealed class GatewayLoss(TimeSpan? commandGrace = null) : IClusterConnectionStatusObserver
{
    /// <summary>How many times one read is sent again at most (each after a further gateway lost while it waited).</summary>
    public const int MaxResends = 2;

    /// <summary>How long a command may still take once a gateway connection was lost while it waited.</summary>
    public TimeSpan CommandGrace { get; } = commandGrace ?? TimeSpan.FromSeconds(2);

    private TaskCompletionSource _next = NewSignal();

    /// <summary>Completes when the next gateway connection is lost.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>The read's answer; sent again if a gateway connection is lost while it waits.</summary>
    public async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        for (var resends = 0; ; resends++)
        {
            var lost = Next;
            var call = read();
            if (resends == MaxResends || await Task.WhenAny(call, lost) == call) return await call;
            Observe(call);
        }
    }

    /// <summary>
    /// The command's answer; if a gateway connection is lost while it waits and it has not answered <see cref="CommandGrace"/>
    /// later, <see cref="CommandOutcomeUnknownException"/>: its answer went with the connection, if it was ever sent.
    /// </summary>
    public async Task<T> CommandAsync<T>(Func<Task<T>> command)
    {
        var lost = Next; // before the call: a loss while it is on its way counts
        var call = command();
        await AnsweredAsync(call, lost);
        return await call;
    }

    /// <summary>As <see cref="CommandAsync{T}(Func{Task{T}})"/>, for a command that answers nothing.</summary>
    public Task CommandAsync(Func<Task> command)
    {
        var lost = Next;
        return AnsweredAsync(command(), lost);
    }

    private async Task AnsweredAsync(Task call, Task lost)
    {
        if (await Task.WhenAny(call, lost) == call || await Task.WhenAny(call, Task.Delay(CommandGrace)) == call)
        {
            await call;
            return;
        }
        Observe(call);
        throw new CommandOutcomeUnknownException();
    }

    void IClusterConnectionStatusObserver.NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways) Signal();
    }

    void IClusterConnectionStatusObserver.NotifyClusterConnectionLost() => Signal();

    /// <summary>An abandoned request times out in the end: its exception is observed so that it is not reported as unobserved.</summary>
    private static void Observe(Task call) =>
        _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void Signal() => Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A command whose answer was lost with a gateway connection: it may or may not have been applied. Every command
/// sets a state rather than changing it by an amount, so sending it again is safe.</summary>
public sealed class CommandOutcomeUnknownException()
    : TimeoutException("The connection to the server handling this command was lost before it answered; it may or may not have been applied. Send it again: a command sets a state, so a repeat is harmless.");
