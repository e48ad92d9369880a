using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Networking.Shared;
using Orleans.Runtime.Messaging;

namespace CityTwin.Storage.Tests;

/// <summary>
/// Reads caught by a lost gateway connection, or unanswered for a while, are sent again (GatewayLoss.cs); commands
/// are never sent again, and give up soon. Time is fake: a read is hedged only when a test moves the clock.
/// </summary>
public class GatewayLossTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_read_that_answers_is_sent_once()
    {
        var loss = new GatewayLoss(time: _time);
        var sent = 0;
        Assert.Equal(7, await loss.ReadAsync(() => { sent++; return Task.FromResult(7); }));
        Assert.Equal(1, sent);
    }

    [Fact]
    public async Task A_read_waiting_when_a_gateway_connection_is_lost_is_sent_again()
    {
        var loss = new GatewayLoss(time: _time);
        var lost = new TaskCompletionSource<int>(); // the request that went through the dead gateway: never answered
        var sent = 0;
        var read = loss.ReadAsync(() => ++sent == 1 ? lost.Task : Task.FromResult(42));
        Assert.False(read.IsCompleted);

        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        Assert.Equal(42, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, sent);
        lost.SetException(new TimeoutException("the response timeout, 30 s later")); // observed, not unobserved
    }

    [Fact]
    public async Task A_new_gateway_connection_sends_nothing_again()
    {
        var loss = new GatewayLoss(time: _time);
        var answer = new TaskCompletionSource<int>();
        var sent = 0;
        var read = loss.ReadAsync(() => { sent++; return answer.Task; });
        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(2, 1, connectionRecovered: false);
        await Task.Delay(50);
        Assert.Equal(1, sent);
        answer.SetResult(3);
        Assert.Equal(3, await read);
    }

    [Fact]
    public async Task A_read_is_sent_again_at_most_twice()
    {
        var loss = new GatewayLoss(time: _time);
        var (read, calls) = Unanswered(loss);
        for (var lost = 0; lost < 5; lost++)
        {
            ((IClusterConnectionStatusObserver)loss).NotifyClusterConnectionLost();
            await Task.Delay(50);
        }
        Assert.Equal(1 + GatewayLoss.MaxResends, calls.Count);
        calls[^1].SetResult(9);
        Assert.Equal(9, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_unanswered_for_the_hedge_delay_is_sent_again_and_the_first_answer_wins()
    {
        var (read, calls) = Unanswered(new GatewayLoss(hedgeAfter: TimeSpan.FromMilliseconds(300), time: _time));

        _time.Advance(TimeSpan.FromMilliseconds(299));
        await Task.Delay(50);
        Assert.Single(calls); // a slow read is not a stalled one yet

        _time.Advance(TimeSpan.FromMilliseconds(1)); // its gateway's silo may be dying: copies, through the next gateways
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies);
        calls[1].SetResult(11);
        Assert.Equal(11, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        calls[0].SetResult(10); // the first copy answering late changes nothing
        Assert.Equal(11, await read);
    }

    [Fact]
    public async Task A_hedged_read_takes_the_first_copy_that_answers_even_the_original()
    {
        var (read, calls) = Unanswered(new GatewayLoss(hedgeAfter: TimeSpan.FromMilliseconds(300), time: _time));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies);
        calls[0].SetResult(1);
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_hedge_sends_one_copy_per_gateway_in_turn_and_one_when_there_is_one_gateway()
    {
        // Each copy takes the next gateway in Orleans' round robin: two in a row reach two gateways, so a read stuck on
        // a dying one is not copied onto it again. With one gateway a second copy would only go the same way.
        var loss = new GatewayLoss(hedgeAfter: TimeSpan.FromMilliseconds(300), time: _time);
        var (read, calls) = Unanswered(loss);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await WaitUntil(() => calls.Count == 3);
        calls[2].SetResult(2);
        Assert.Equal(2, await read.WaitAsync(TimeSpan.FromSeconds(10)));

        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        (read, calls) = Unanswered(loss);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await WaitUntil(() => calls.Count == 2);
        await Task.Delay(50);
        Assert.Equal(2, calls.Count);
        calls[1].SetResult(1);
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_is_hedged_at_most_twice()
    {
        var (read, calls) = Unanswered(new GatewayLoss(hedgeAfter: TimeSpan.FromMilliseconds(300), time: _time));
        for (var step = 0; step < 6; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(300));
            await Task.Delay(50);
        }
        Assert.Equal(1 + GatewayLoss.MaxHedges * GatewayLoss.HedgeCopies, calls.Count);
        calls[0].SetException(new TimeoutException("the response timeout")); // the first to answer wins, an error too
        await Assert.ThrowsAsync<TimeoutException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_that_reached_no_gateway_is_sent_again_at_once_and_fails_only_when_every_copy_did()
    {
        var loss = new GatewayLoss(hedgeAfter: TimeSpan.FromMilliseconds(300), time: _time);
        var sent = 0;
        Assert.Equal(4, await loss.ReadAsync(() => ++sent == 1 ? Task.FromException<int>(Refused()) : Task.FromResult(4)));
        Assert.Equal(2, sent); // no hedge delay waited: the clock never moved

        sent = 0;
        var failed = loss.ReadAsync(() => { sent++; return Task.FromException<int>(Refused()); });
        await Assert.ThrowsAsync<ConnectionFailedException>(() => failed.WaitAsync(TimeSpan.FromSeconds(10))); // a 503 at the API
        Assert.Equal(1 + GatewayLoss.MaxResends, sent);
    }

    [Fact]
    public async Task A_hedged_copy_that_reached_no_gateway_leaves_the_read_to_the_others()
    {
        // At a SIGKILL the read waits on the dying gateway; once its process is gone, a copy sent its way is refused.
        var (read, calls) = Unanswered(new GatewayLoss(hedgeAfter: TimeSpan.FromMilliseconds(300), time: _time));
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies);
        calls[1].SetException(Refused());
        await WaitUntil(() => calls.Count == 2 + GatewayLoss.HedgeCopies); // sent again in its place
        Assert.False(read.IsCompleted);
        calls[2].SetResult(6);
        Assert.Equal(6, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_command_that_reached_no_gateway_is_sent_once_more()
    {
        var loss = new GatewayLoss(TimeSpan.FromMilliseconds(200));
        var sent = 0;
        Assert.Equal(3, await loss.CommandAsync(() => ++sent == 1 ? Task.FromException<int>(Refused()) : Task.FromResult(3)));
        Assert.Equal(2, sent);

        sent = 0;
        await Assert.ThrowsAsync<ConnectionFailedException>(() => loss.CommandAsync(() => { sent++; return Task.FromException(Refused()); }));
        Assert.Equal(2, sent);

        sent = 0; // any other failure is the command's answer: not sent again
        await Assert.ThrowsAsync<TimeoutException>(() => loss.CommandAsync(() => { sent++; return Task.FromException<int>(new TimeoutException()); }));
        Assert.Equal(1, sent);
    }

    /// <summary>What Orleans' client fails a call with when the gateway it picked refuses the connection.</summary>
    private static ConnectionFailedException Refused() =>
        new("Unable to connect to endpoint S127.0.0.1:44115:0. See InnerException", new SocketConnectionException("Unable to connect to 127.0.0.1:44115. Error: ConnectionRefused"));

    [Fact]
    public async Task A_read_waiting_when_a_gateway_falls_silent_is_copied_through_each_gateway_at_once()
    {
        // The hedge is far off: the silence alone sends the copies.
        var (silence, loss) = Watched(silentAfter: TimeSpan.FromMilliseconds(20), hedgeAfter: TimeSpan.FromSeconds(1), gateways: 2);
        using var dying = silence.Open();
        using var live = silence.Open();
        var (read, calls) = Unanswered(loss);
        await Task.Delay(50);
        Assert.Single(calls);

        FallSilent(silence, dying, live);
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies);
        calls[^1].SetResult(9);
        Assert.Equal(9, await read.WaitAsync(TimeSpan.FromSeconds(10)));

        // Still silent: a new read goes through two gateways at once. Heard again: once.
        (read, calls) = Unanswered(loss);
        Assert.Equal(2, calls.Count);
        calls[0].SetResult(1);
        Assert.Equal(1, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        dying.Received();
        (read, calls) = Unanswered(loss);
        Assert.Single(calls);
        calls[0].SetResult(2);
        Assert.Equal(2, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_waiting_when_a_gateway_closes_its_connection_is_copied_through_each_gateway_before_the_client_reports_the_loss()
    {
        // Quick reads, whose hedge delay is shorter than a silence: the close alone sends the copies, whatever the delay.
        var (silence, loss) = Watched(silentAfter: TimeSpan.FromMilliseconds(30), hedgeAfter: TimeSpan.FromMilliseconds(20), gateways: 2);
        var dying = silence.Open();
        var (read, calls) = Unanswered(loss);
        await Task.Delay(50);
        Assert.Single(calls);

        dying.Ended(); // its end read off the connection; Orleans' client has not reported it yet
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies);
        dying.Dispose(); // then its transport closes: the same loss, no more copies
        await Task.Delay(50);
        Assert.Equal(1 + GatewayLoss.HedgeCopies, calls.Count);
        calls[^1].SetResult(9);
        Assert.Equal(9, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task With_one_gateway_a_silence_sends_no_read_twice()
    {
        var (silence, loss) = Watched(silentAfter: TimeSpan.FromMilliseconds(20), hedgeAfter: TimeSpan.FromSeconds(1), gateways: 1);
        using var a = silence.Open();
        using var b = silence.Open(); // a connection being replaced: the client reports one gateway
        FallSilent(silence, a, b);

        var (read, calls) = Unanswered(loss);
        await Task.Delay(50);
        Assert.Single(calls);
        calls[0].SetResult(3);
        Assert.Equal(3, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_silence_is_left_to_the_hedge_when_the_hedge_comes_as_soon()
    {
        // Quick reads (a hedge delay of 20 ms) on a busy silo: its 30 ms pauses would copy every read for nothing.
        var (silence, loss) = Watched(silentAfter: TimeSpan.FromMilliseconds(30), hedgeAfter: TimeSpan.FromMilliseconds(20), gateways: 2);
        using var dying = silence.Open();
        using var live = silence.Open();
        FallSilent(silence, dying, live);

        var (read, calls) = Unanswered(loss);
        await Task.Delay(50);
        Assert.Single(calls); // not sent twice while the gateway is silent
        _time.Advance(TimeSpan.FromMilliseconds(20));
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies); // the hedge's copies, as without a silence
        calls[^1].SetResult(4);
        Assert.Equal(4, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_hedge_delay_follows_each_kind_of_reads_p95_within_its_bounds()
    {
        var loss = new GatewayLoss(time: _time);
        Assert.Equal(GatewayLoss.MaxHedgeAfter, loss.HedgeAfter<int>()); // nothing known yet: the ceiling

        // Reads answering in 0–99 ms: the p95 is about 95 ms, and a read stalled that long gets a copy then.
        await AnswerReads(loss, i => TimeSpan.FromMilliseconds(i % 100), i => i);
        Assert.InRange(loss.HedgeAfter<int>().TotalMilliseconds, 93, 95);
        var (read, calls) = Unanswered(loss);
        _time.Advance(TimeSpan.FromMilliseconds(90));
        await Task.Delay(50);
        Assert.Single(calls);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies);
        calls[1].SetResult(5);
        Assert.Equal(5, await read.WaitAsync(TimeSpan.FromSeconds(10)));

        // Another kind of read (here: answering a string) keeps its own: slow ones do not slow the quick ones' copies.
        await AnswerReads(loss, _ => TimeSpan.FromSeconds(1), i => i.ToString());
        Assert.Equal(GatewayLoss.MaxHedgeAfter, loss.HedgeAfter<string>());
        Assert.InRange(loss.HedgeAfter<int>().TotalMilliseconds, 93, 95);

        // Quick reads do not take it under the floor.
        await AnswerReads(loss, _ => TimeSpan.FromMilliseconds(2), i => i);
        Assert.Equal(GatewayLoss.MinHedgeAfter, loss.HedgeAfter<int>());
    }

    /// <summary>A window of reads, the i-th answering <paramref name="answer"/>(i) after <paramref name="latency"/>(i) on the test's clock.</summary>
    private async Task AnswerReads<T>(GatewayLoss loss, Func<int, TimeSpan> latency, Func<int, T> answer)
    {
        for (var i = 0; i < GatewayLoss.HedgeWindow; i++)
        {
            var call = new TaskCompletionSource<T>();
            var read = loss.ReadAsync(() => call.Task);
            _time.Advance(latency(i));
            call.SetResult(answer(i));
            await read;
        }
    }

    [Fact]
    public async Task The_copies_a_read_takes_are_counted_by_reason_and_each_kinds_hedge_delay_is_exported()
    {
        // What an SRE reads off /metrics during a failover: how many reads were sent again, why, and after how long.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var loss = new GatewayLoss(time: _time, meters: services.GetRequiredService<IMeterFactory>());
        var copies = new ConcurrentDictionary<string, long>();
        var delays = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "CityTwin") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => copies.AddOrUpdate(Tag(tags, "reason"), value, (_, n) => n + value));
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => delays[Tag(tags, "kind")] = value);
        listener.Start();

        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(2, 1, connectionRecovered: false);
        var (read, calls) = Unanswered(loss);
        _time.Advance(GatewayLoss.MaxHedgeAfter); // no reads known yet: the longest delay
        await WaitUntil(() => calls.Count == 1 + GatewayLoss.HedgeCopies);
        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        await WaitUntil(() => calls.Count == 2 + GatewayLoss.HedgeCopies);
        calls[^1].SetResult(5);
        Assert.Equal(5, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["42"], await loss.ReadAsync(() => Task.FromResult<IReadOnlyList<string>>(["42"])));

        Assert.Equal(GatewayLoss.HedgeCopies, copies.GetValueOrDefault("hedge"));
        Assert.Equal(1, copies.GetValueOrDefault("gateway_lost"));
        Assert.False(copies.ContainsKey("not_sent"));
        listener.RecordObservableInstruments();
        Assert.Equal(GatewayLoss.MaxHedgeAfter.TotalSeconds, delays["Int32"]);
        Assert.Equal(GatewayLoss.MaxHedgeAfter.TotalSeconds, delays["IReadOnlyList<String>"]);

        static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
        {
            foreach (var tag in tags) if (tag.Key == name) return (string)tag.Value!;
            return "";
        }
    }

    /// <summary>A client's watch on its gateway connections and its read path, the client knowing <paramref name="gateways"/> gateways.</summary>
    private (GatewaySilence Silence, GatewayLoss Loss) Watched(TimeSpan silentAfter, TimeSpan hedgeAfter, int gateways)
    {
        var silence = new GatewaySilence(_time, silentAfter);
        var loss = new GatewayLoss(hedgeAfter: hedgeAfter, time: _time, silence: silence);
        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(gateways, gateways - 1, connectionRecovered: false);
        return (silence, loss);
    }

    /// <summary>The first connection falls silent: sent something, nothing back for the silence's length, while the second answered.</summary>
    private void FallSilent(GatewaySilence silence, GatewaySilence.Connection silent, GatewaySilence.Connection heard)
    {
        silent.Sent();
        _time.Advance(silence.SilentAfter / 2);
        heard.Received();
        _time.Advance(silence.SilentAfter - silence.SilentAfter / 2);
        Assert.True(silence.Any);
    }

    /// <summary>A read whose every copy waits until the test answers it; <c>calls</c> holds the copies sent so far.</summary>
    private static (Task<int> Read, List<TaskCompletionSource<int>> Calls) Unanswered(GatewayLoss loss)
    {
        var calls = new List<TaskCompletionSource<int>>();
        var read = loss.ReadAsync(() => { var call = new TaskCompletionSource<int>(); lock (calls) calls.Add(call); return call.Task; });
        return (read, calls);
    }

    private static async Task WaitUntil(Func<bool> done)
    {
        for (var waited = 0; !done() && waited < 10_000; waited += 10) await Task.Delay(10);
        Assert.True(done());
    }

    [Fact]
    public async Task A_command_caught_by_a_lost_gateway_gives_up_after_the_grace_as_unknown_and_is_not_sent_again()
    {
        var loss = new GatewayLoss(TimeSpan.FromMilliseconds(200));
        var never = new TaskCompletionSource<int>(); // its answer went with the connection
        var sent = 0;
        var command = loss.CommandAsync(() => { sent++; return never.Task; });
        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<CommandOutcomeUnknownException>(() => command.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5)); // the grace, not the 30 s response timeout
        Assert.Equal(1, sent);
        Assert.IsAssignableFrom<TimeoutException>(command.Exception!.InnerException); // a 503 with Retry-After at the API
        never.SetException(new TimeoutException("the response timeout, 30 s later")); // observed, not unobserved
    }

    [Fact]
    public async Task A_command_through_a_live_gateway_that_answers_within_the_grace_is_answered()
    {
        var loss = new GatewayLoss(TimeSpan.FromSeconds(5));
        var answer = new TaskCompletionSource<int>();
        var command = loss.CommandAsync(() => answer.Task);
        ((IClusterConnectionStatusObserver)loss).NotifyClusterConnectionLost();
        await Task.Delay(100);
        Assert.False(command.IsCompleted);
        answer.SetResult(5);
        Assert.Equal(5, await command.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_command_with_no_gateway_lost_waits_for_its_answer_however_long()
    {
        var loss = new GatewayLoss(TimeSpan.FromMilliseconds(50));
        var answer = new TaskCompletionSource<int>();
        var command = loss.CommandAsync(() => answer.Task);
        await Task.Delay(300); // longer than the grace: only a lost gateway starts it
        Assert.False(command.IsCompleted);
        answer.SetResult(8);
        Assert.Equal(8, await command);
    }
}
