namespace CityTwin.Storage;

/// <summary>
/// A client (the API) reaches every grain through one of the silos' gateways: Orleans' client pins each grain to a
/// gateway (by a hash of its id), so about half of a surviving silo's grains are reached through a silo that dies.
/// A request that was sent through that gateway is never answered once its connection is gone — the answer had no way
/// back — and Orleans' client keeps waiting for its response timeout (30 s): it does not fail the calls of a lost
/// gateway connection (dotnet/orleans#10165 tracks the gateway side of this). Reads are idempotent, so
/// <see cref="ReadAsync{T}"/> sends a read again when a gateway connection is lost while it waits; the new request
/// takes a live gateway (the lost connection is no longer used). A read that was going through a healthy gateway is
/// sent twice, which costs one more call and changes nothing. Commands are not resent here: they wait, and answer 503.
/// Registered by <see cref="OrleansStorageExtensions.UseCityTwinClustering"/> as the client's connection observer.
/// </summary>
public sealed class GatewayLoss : IClusterConnectionStatusObserver
{
    /// <summary>How many times one read is sent again at most (each after a further gateway lost while it waited).</summary>
    public const int MaxResends = 2;

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
            // The abandoned request times out in the end: observe its exception so that it is not reported as unobserved.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    void IClusterConnectionStatusObserver.NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways) Signal();
    }

    void IClusterConnectionStatusObserver.NotifyClusterConnectionLost() => Signal();

    private void Signal() => Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
