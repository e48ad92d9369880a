using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace CityTwin.Storage;

/// <summary>
/// Which of a client's gateway connections have gone silent, and when one ends. A SIGKILLed or frozen silo keeps its sockets open until
/// the kernel has torn its process down — tens to hundreds of milliseconds on a busy machine — and answers nothing
/// meanwhile; Orleans' client learns of the loss only when the connection closes. So a gateway is silent once nothing
/// has come from it for <see cref="SilentAfter"/> since the client sent it something, while another gateway was heard
/// from within that time: a pause of the client itself silences none, and neither does one slow answer on a quiet
/// cluster. <see cref="GatewayLoss.ReadAsync{T}"/> copies the reads waiting when a gateway falls silent and sends each
/// new read through two gateways while one is, rather than leave them to the hedge delay or the connection's loss.
/// Every gateway connection of the client is watched (<see cref="Watch"/>, connection middleware); a connection is
/// heard again with its next byte.
/// <para>
/// A connection is lost the moment its end is read or its transport closes (<see cref="Closed"/>), not when Orleans'
/// client has wound the connection down and reports it (its loops, the socket's disposal: several hops through a busy
/// thread pool, 30–50 ms after the reset in a traced SQLite failover).
/// </para>
/// </summary>
/// <param name="time">The clock of the silences.</param>
/// <param name="silentAfter">How long a gateway may keep the client waiting while another answers (<see cref="DefaultSilentAfter"/>).</param>
public sealed class GatewaySilence(TimeProvider? time = null, TimeSpan? silentAfter = null)
{
    /// <summary>
    /// Longer than most of a busy silo's young collections (15–25 ms on the failover benchmark's two shared cores): at
    /// 20 ms its silos fell silent several times a second before any kill, and the copies cost the steady reads' tail
    /// (2026-12-06, docs/architecture.md, <i>A silent gateway</i>). Reads are copied for a silence only when their
    /// hedge delay is longer (<see cref="GatewayLoss.ReadAsync{T}"/>).
    /// </summary>
    public static readonly TimeSpan DefaultSilentAfter = TimeSpan.FromMilliseconds(30);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly List<Connection> _connections = []; // guarded by itself
    private int _silent;
    private TaskCompletionSource _next = NewSignal();

    /// <summary>
    /// Raised once when a gateway connection ends — its end read (the gateway closed or reset it) or, whichever comes
    /// first, its transport closed (that too, or the client let it go): nothing waiting on it will be answered.
    /// </summary>
    public event Action? Closed;

    public TimeSpan SilentAfter { get; } = silentAfter ?? DefaultSilentAfter;

    /// <summary>Whether a gateway connection is silent now.</summary>
    public bool Any => Volatile.Read(ref _silent) > 0;

    /// <summary>Completes when the next gateway connection falls silent.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Watches the connection's traffic: what the client flushes to it and what comes from it.</summary>
    public void Watch(ConnectionContext context)
    {
        var connection = Open();
        context.Transport = new WatchedTransport(context.Transport, connection);
        context.ConnectionClosed.Register(static c => ((Connection)c!).Dispose(), connection);
    }

    /// <summary>A connection to watch, until disposed; <see cref="Watch"/> opens one per gateway connection.</summary>
    public Connection Open()
    {
        var connection = new Connection(this);
        lock (_connections) _connections.Add(connection);
        return connection;
    }

    /// <summary>Whether a connection other than <paramref name="quiet"/> was heard from within <see cref="SilentAfter"/>.</summary>
    private bool AnotherHeard(Connection quiet, long now)
    {
        lock (_connections)
            foreach (var other in _connections)
                if (other != quiet && _time.GetElapsedTime(Volatile.Read(ref other.HeardAt), now) < SilentAfter)
                    return true;
        return false;
    }

    private void Silenced() => Interlocked.Exchange(ref _next, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One gateway connection's traffic.</summary>
    public sealed class Connection : IDisposable
    {
        private readonly GatewaySilence _owner;
        private readonly ITimer _check;
        internal long HeardAt;
        private long _waitingSince; // when the client first sent something after last hearing from it; 0: not waiting
        private int _silent; // 1 while counted silent
        private int _ended;
        private bool _closed;

        internal Connection(GatewaySilence owner)
        {
            _owner = owner;
            HeardAt = owner._time.GetTimestamp();
            _check = owner._time.CreateTimer(static c => ((Connection)c!).Check(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        /// <summary>The client flushed something to the gateway.</summary>
        public void Sent()
        {
            if (Volatile.Read(ref _waitingSince) != 0 || Interlocked.CompareExchange(ref _waitingSince, _owner._time.GetTimestamp(), 0) != 0) return;
            Arm(_owner.SilentAfter);
        }

        /// <summary>Something came from the gateway.</summary>
        public void Received()
        {
            Volatile.Write(ref HeardAt, _owner._time.GetTimestamp());
            Volatile.Write(ref _waitingSince, 0);
            if (Volatile.Read(ref _silent) == 1 && Interlocked.Exchange(ref _silent, 0) == 1) Interlocked.Decrement(ref _owner._silent);
        }

        /// <summary>The gateway closed or reset the connection.</summary>
        public void Ended()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) _owner.Closed?.Invoke();
        }

        /// <summary>The connection closed (its transport's <c>ConnectionClosed</c>): lost, if its end was not read first.</summary>
        public void Dispose()
        {
            Ended();
            lock (_owner._connections) _owner._connections.Remove(this);
            lock (_check)
            {
                _closed = true;
                _check.Dispose();
            }
            if (Interlocked.Exchange(ref _silent, 0) == 1) Interlocked.Decrement(ref _owner._silent);
        }

        private void Arm(TimeSpan after)
        {
            lock (_check)
                if (!_closed) _check.Change(after, Timeout.InfiniteTimeSpan);
        }

        /// <summary>
        /// Runs <see cref="SilentAfter"/> after the client started waiting (or after an earlier check): silent if still
        /// waiting and another gateway was heard meanwhile; still waiting but none was, looked at again later.
        /// </summary>
        private void Check()
        {
            var since = Volatile.Read(ref _waitingSince);
            if (since == 0 || Volatile.Read(ref _silent) == 1) return;
            var now = _owner._time.GetTimestamp();
            var waited = _owner._time.GetElapsedTime(since, now);
            if (waited < _owner.SilentAfter) Arm(_owner.SilentAfter - waited); // heard and waiting again since it was armed
            else if (!_owner.AnotherHeard(this, now)) Arm(_owner.SilentAfter);
            else if (Interlocked.CompareExchange(ref _silent, 1, 0) == 0)
            {
                // Counted before looking again, so that a Received in between uncounts it exactly once.
                Interlocked.Increment(ref _owner._silent);
                if (Volatile.Read(ref _waitingSince) == since) _owner.Silenced();
                else if (Interlocked.Exchange(ref _silent, 0) == 1) Interlocked.Decrement(ref _owner._silent); // heard meanwhile
            }
        }
    }

    /// <summary>The connection's pipes, telling <see cref="Connection"/> of every flush and every read.</summary>
    private sealed class WatchedTransport(IDuplexPipe inner, Connection connection) : IDuplexPipe
    {
        public PipeReader Input { get; } = new Reader(inner.Input, connection);
        public PipeWriter Output { get; } = new Writer(inner.Output, connection);
    }

    /// <summary>
    /// Tells of every read, and of the connection's end: a completed read (the gateway closed it) or a failed one (it
    /// reset it). The client's own close cancels the pending read instead: that connection ends with its transport (<see cref="Connection.Dispose"/>).
    /// </summary>
    private sealed class Reader(PipeReader inner, Connection connection) : PipeReader
    {
        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            if (!read.IsCompleted) return Heard(read);
            if (!read.IsCompletedSuccessfully)
            {
                if (!read.IsCanceled) connection.Ended();
                return read;
            }
            var result = read.Result; // read once: a ValueTask may not be consumed twice
            Heard(result);
            return new(result);
        }

        private async ValueTask<ReadResult> Heard(ValueTask<ReadResult> read)
        {
            ReadResult result;
            try
            {
                result = await read;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                connection.Ended();
                throw;
            }
            Heard(result);
            return result;
        }

        private void Heard(in ReadResult result)
        {
            connection.Received();
            if (result.IsCompleted) connection.Ended();
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result)) return false;
            Heard(result);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);
        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);
        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class Writer(PipeWriter inner, Connection connection) : PipeWriter
    {
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            connection.Sent();
            return inner.FlushAsync(cancellationToken);
        }

        public override void Advance(int bytes) => inner.Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
