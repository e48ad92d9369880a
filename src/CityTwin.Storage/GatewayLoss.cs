using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.Runtime.Messaging;

namespace CityTwin.Storage;

/// <summary>
/// A client (the API) reaches every grain through one of the silos' gateways: Orleans' client pins each grain to a
/// gateway (by a hash of its id), so about half of a surviving silo's grains are reached through a silo that dies.
/// A request that was sent through that gateway is never answered once its connection is gone — the answer had no way
/// back — and Orleans' client keeps waiting for its response timeout (30 s): it does not fail the calls of a lost
/// gateway connection (dotnet/orleans#10165 tracks the gateway side of this). Reads are idempotent, so
/// <see cref="ReadAsync{T}"/> sends a read again when a gateway connection is lost while it waits: as soon as the
/// connection's end is read (<see cref="GatewaySilence.Closed"/>), through each gateway (Orleans' client may still route
/// a call to the lost one for a while), and when the client reports the loss. A read that was going through a healthy
/// gateway is sent twice, which costs one more call and changes nothing. Commands are not sent again (a copy could overtake the
/// caller's next command): <see cref="CommandAsync{T}"/> gives one caught by a lost gateway <see cref="CommandGrace"/>
/// to answer — one that went through a live gateway does — and then gives up on it as
/// <see cref="CommandOutcomeUnknownException"/> (a 503) instead of waiting out the 30 s response timeout for the same
/// answer. Registered by <see cref="OrleansStorageExtensions.UseCityTwinClustering"/> as the client's connection observer.
/// <para>
/// A gateway is lost only once its silo's process is gone, and a SIGKILLed silo takes up to a couple of seconds to be
/// torn down: until then it accepts requests and answers none, like a slow one. So a read still unanswered after
/// <see cref="HedgeAfter{T}"/> is also sent again (a hedged request, at most <see cref="MaxHedges"/> times, <see cref="HedgeCopies"/>
/// copies each); the read methods are marked <c>[AnyGateway]</c>, so each copy takes the next gateway in turn, and the first answer wins.
/// The delay follows the reads themselves, each kind (its answer's type: an asset, a district's page, the stats…)
/// apart, so quick asset reads do not get a slow query copied: the p95 of that kind's last <see cref="HedgeWindow"/>
/// reads, between <see cref="MinHedgeAfter"/> and <see cref="MaxHedgeAfter"/> — about one read in twenty is
/// copied, and a read stalled on a dying gateway waits about as long as a slow healthy one, not a fixed ceiling.
/// (It was the p99: the reads in flight at a SIGKILL, a few in a hundred of a failover's, were its survivors' p99 —
/// 56.8 and 60.1 ms against 39.8 and 47.4 ms with the p95, 10 failover runs a set.)
/// </para>
/// <para>
/// A whole gateway that answers nothing while another answers (<see cref="GatewaySilence"/>) is a stronger sign than
/// one slow read: the reads waiting then are copied at once, and new reads go through two gateways while it stays
/// silent — where their hedge delay is longer than the silence that gives it away, so the copies come sooner than
/// the hedge's would.
/// </para>
/// </summary>
public sealed class GatewayLoss : IClusterConnectionStatusObserver
{
    /// <param name="commandGrace">How long a command caught by a lost gateway may still answer (<see cref="CommandGrace"/>).</param>
    /// <param name="hedgeAfter">A fixed hedge delay instead of the learnt one (tests).</param>
    /// <param name="time">The clock of the hedge delays.</param>
    /// <param name="meters">Where the copies and the hedge delays are exported; none without it.</param>
    /// <param name="silence">Which gateway connections are silent or closed (<see cref="GatewaySilence"/>); without it reads wait for the hedge or the client's report of a loss.</param>
    public GatewayLoss(TimeSpan? commandGrace = null, TimeSpan? hedgeAfter = null, TimeProvider? time = null, IMeterFactory? meters = null,
        GatewaySilence? silence = null)
    {
        CommandGrace = commandGrace ?? TimeSpan.FromSeconds(2);
        _hedgeAfter = hedgeAfter;
        _time = time ?? TimeProvider.System;
        _silence = silence;
        if (silence is not null) silence.Closed += Signal; // a gateway's close read off its connection: lost, before Orleans reports it
        if (meters is null) return;
        var meter = meters.Create("CityTwin");
        _copies = meter.CreateCounter<long>("citytwin.read.copies", "{copy}",
            "Reads the API sent again, by reason: hedge (unanswered for the hedge delay), silent_gateway (sent or waiting while a gateway was silent), gateway_lost (a gateway connection was lost while it waited), not_sent (a copy reached no gateway)");
        meter.CreateObservableGauge("citytwin.read.hedge.delay",
            () => _latencies.Select(k => new Measurement<double>((_hedgeAfter ?? k.Value.Wait).TotalSeconds, new KeyValuePair<string, object?>("kind", Kind(k.Key)))), "s",
            "How long a read of each kind (its answer's type) goes unanswered before the API sends a copy: the p95 of its latest reads");
    }

    /// <summary>How many times one read is sent again at most after a gateway was lost while it waited.</summary>
    public const int MaxResends = 2;

    /// <summary>How many times one read is sent again at most because it went unanswered for <see cref="HedgeAfter{T}"/>.</summary>
    public const int MaxHedges = 2;

    /// <summary>
    /// Copies sent at each hedge, back to back, when the client knows more than one gateway: each unordered call takes
    /// the next gateway in Orleans' round robin, so with two gateways a single copy of a read stuck on a dying one took
    /// that same gateway again half the time (the failover traces); two in a row take two different gateways unless
    /// another read slips in between.
    /// </summary>
    public const int HedgeCopies = 2;

    /// <summary>How long a command may still take once a gateway connection was lost while it waited.</summary>
    public TimeSpan CommandGrace { get; }

    /// <summary>
    /// The shortest hedge delay, however quick the reads: below it a copy would be sent for most young garbage
    /// collections' pauses (under 10 ms in the failover's traces). It was 50 ms, then 20; a read caught at a SIGKILL on
    /// the dying gateway waits for it whenever the reads' p95 is lower, as it is on a healthy cluster.
    /// </summary>
    public static readonly TimeSpan MinHedgeAfter = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest hedge delay, and the delay until <see cref="HedgeWindow"/> reads are known: above a cold activation's p99 at a million assets (≈ 230 ms).</summary>
    public static readonly TimeSpan MaxHedgeAfter = TimeSpan.FromMilliseconds(300);

    /// <summary>How many of the latest reads the hedge delay is taken from (it is recomputed every quarter of them).</summary>
    public const int HedgeWindow = 512;

    /// <summary>
    /// How long a read answering a <typeparamref name="T"/> goes unanswered before a copy is sent (and again after as
    /// long): the p95 of the latest <see cref="HedgeWindow"/> such reads within [<see cref="MinHedgeAfter"/>,
    /// <see cref="MaxHedgeAfter"/>], or the fixed delay given.
    /// </summary>
    public TimeSpan HedgeAfter<T>() => _hedgeAfter ?? Latencies<T>().Wait;

    private static readonly Task Never = new TaskCompletionSource().Task;
    private int _gateways; // as the client last reported them; 0 until it does
    private readonly TimeSpan? _hedgeAfter;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Type, RecentLatencies> _latencies = new();
    private readonly Counter<long>? _copies;
    private readonly GatewaySilence? _silence;

    private RecentLatencies Latencies<T>() => _latencies.GetOrAdd(typeof(T), static _ => new RecentLatencies(HedgeWindow, 95, MinHedgeAfter, MaxHedgeAfter));

    private TaskCompletionSource _next = NewSignal();

    /// <summary>Completes when the next gateway connection is lost.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>
    /// The read's answer: the first of its copies to answer. A copy is sent when a gateway connection is lost while it
    /// waits, when it has gone unanswered for <see cref="HedgeAfter{T}"/>, or when a copy could not reach any gateway
    /// (<see cref="NeverSent"/>: that copy does not answer the read while another may still do so). While a gateway is
    /// silent (<see cref="GatewaySilence"/>) a read whose hedge delay is longer than that silence is sent twice at
    /// once, and one waiting when a gateway falls silent is copied then, once, through each gateway in turn.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        var lost = Next; // before the call: a loss while it is on its way counts
        var latencies = Latencies<T>();
        var delay = _hedgeAfter ?? latencies.Wait;
        // A silence only brings forward what the hedge does later: where the hedge comes as soon, it is left to the hedge
        // (copies for a busy silo's pauses would cost more than they save).
        var heedSilence = _silence is not null && delay > _silence.SilentAfter;
        var silent = heedSilence ? _silence!.Next : Never;
        var started = _time.GetTimestamp();
        var first = read();
        if (first.IsCompletedSuccessfully)
        {
            latencies.Record(TimeSpan.Zero);
            return first.Result;
        }
        var hedge = Task.Delay(delay, _time);
        List<Task<T>> copies = [first]; // those that may still answer
        if (heedSilence && _silence!.Any && Volatile.Read(ref _gateways) > 1)
        {
            // The first took the next gateway in turn, this copy the one after: one of them is not the silent one.
            silent = Never;
            Copied(1, "silent_gateway");
            copies.Add(read());
        }
        Task<T>? undelivered = null; // the latest copy that reached no gateway: the read's failure if no other answers
        for (int resends = 0, hedges = 0; ;)
        {
            for (var i = copies.Count - 1; i >= 0; i--)
            {
                if (!copies[i].IsCompleted) continue;
                if (!NeverSent(copies[i]))
                {
                    latencies.Record(_time.GetElapsedTime(started));
                    foreach (var other in copies) if (other != copies[i]) Observe(other);
                    return await copies[i];
                }
                undelivered = copies[i];
                copies.RemoveAt(i);
                if (resends < MaxResends)
                {
                    resends++;
                    Copied(1, "not_sent");
                    copies.Add(read()); // past i: looked at on the next pass
                }
            }
            if (copies.Count == 0) return await undelivered!;
            Task answer = copies.Count == 1 ? copies[0] : Task.WhenAny(copies);
            var woke = await Task.WhenAny(answer, lost, hedge, silent);
            if (woke == answer) continue;
            // Through each gateway: a loss read off the connection comes before Orleans' client stops routing calls to it.
            var (sends, reason) = (Volatile.Read(ref _gateways) > 1 ? HedgeCopies : 1, "gateway_lost");
            if (woke == lost)
            {
                if (resends == MaxResends) // spent on copies that reached no gateway
                {
                    lost = Never;
                    continue;
                }
                lost = ++resends == MaxResends ? Never : Next;
            }
            else if (woke == silent)
            {
                silent = Never;
                (sends, reason) = (Volatile.Read(ref _gateways) == 1 ? 1 : HedgeCopies, "silent_gateway");
            }
            else
            {
                hedge = ++hedges == MaxHedges ? Never : Task.Delay(delay, _time);
                (sends, reason) = (Volatile.Read(ref _gateways) == 1 ? 1 : HedgeCopies, "hedge");
            }
            Copied(sends, reason);
            for (var copy = 0; copy < sends; copy++) copies.Add(read());
        }
    }

    /// <summary>
    /// The command's answer; if a gateway connection is lost while it waits and it has not answered <see cref="CommandGrace"/>
    /// later, <see cref="CommandOutcomeUnknownException"/>: its answer went with the connection, if it was ever sent.
    /// A command that could not reach any gateway (<see cref="NeverSent"/>) is sent once more: it went nowhere, so it
    /// can overtake nothing.
    /// </summary>
    public async Task<T> CommandAsync<T>(Func<Task<T>> command)
    {
        for (var sent = 1; ; sent++)
        {
            var lost = Next; // before the call: a loss while it is on its way counts
            var call = command();
            await AnsweredAsync(call, lost);
            if (sent == 2 || !NeverSent(call)) return await call;
        }
    }

    /// <summary>As <see cref="CommandAsync{T}(Func{Task{T}})"/>, for a command that answers nothing.</summary>
    public Task CommandAsync(Func<Task> command) => CommandAsync(async () => { await command(); return true; });

    /// <summary>Waits until <paramref name="call"/> completed (its outcome is not thrown here), or throws <see cref="CommandOutcomeUnknownException"/>.</summary>
    private async Task AnsweredAsync(Task call, Task lost)
    {
        if (await Task.WhenAny(call, lost) == call || await Task.WhenAny(call, Task.Delay(CommandGrace)) == call) return;
        Observe(call);
        throw new CommandOutcomeUnknownException();
    }

    /// <summary>
    /// Whether the call failed before it left: Orleans' client could not connect to the gateway it picked (a silo just
    /// killed refuses connections until the membership table shows it dead), and fails the call with
    /// <see cref="ConnectionFailedException"/> after one more try. Such a call reached no grain.
    /// </summary>
    private static bool NeverSent(Task call) => call.IsFaulted && call.Exception.InnerException is ConnectionFailedException;

    void IClusterConnectionStatusObserver.NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        Volatile.Write(ref _gateways, currentNumberOfGateways);
        if (currentNumberOfGateways < previousNumberOfGateways) Signal();
    }

    void IClusterConnectionStatusObserver.NotifyClusterConnectionLost() => Signal();

    private void Copied(int copies, string reason) => _copies?.Add(copies, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A read's kind as a label: its answer's type, generic arguments spelled out (<c>IReadOnlyList&lt;String&gt;</c>).</summary>
    private static string Kind(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(",", type.GenericTypeArguments.Select(Kind))}>"
        : type.Name;

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
