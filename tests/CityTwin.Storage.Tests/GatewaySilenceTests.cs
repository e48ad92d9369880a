using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Time.Testing;

namespace CityTwin.Storage.Tests;

/// <summary>
/// A gateway that answers nothing while another answers is silent (GatewaySilence.cs): what a SIGKILLed silo looks
/// like to the API until its process is torn down. Time is fake: a silence begins only when a test moves the clock.
/// </summary>
public class GatewaySilenceTests
{
    private static readonly TimeSpan After = TimeSpan.FromMilliseconds(20);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_gateway_that_answers_nothing_while_another_answers_falls_silent_and_is_heard_again_with_its_next_byte()
    {
        var silence = new GatewaySilence(_time, After);
        using var dying = silence.Open();
        using var live = silence.Open();
        var fell = silence.Next;

        dying.Sent();
        live.Sent();
        _time.Advance(TimeSpan.FromMilliseconds(15));
        live.Received();
        _time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.False(silence.Any); // 19 ms: not yet

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(silence.Any);
        Assert.True(fell.IsCompleted);
        Assert.False(silence.Next.IsCompleted); // the next silence is another signal

        dying.Received();
        Assert.False(silence.Any);
    }

    [Fact]
    public void A_pause_of_the_client_silences_no_gateway_and_a_quiet_cluster_has_no_silence()
    {
        var silence = new GatewaySilence(_time, After);
        using var a = silence.Open();
        using var b = silence.Open();

        // Both waiting and neither heard (the API itself paused, or every answer is slow): neither is silent.
        a.Sent();
        b.Sent();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(silence.Any);

        // One answers: the other, still waiting, is silent at its next look.
        _time.Advance(TimeSpan.FromMilliseconds(10));
        b.Received();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(silence.Any);
        a.Received();

        // Only one gateway waited on and the other idle for long: a slow answer, not a silence.
        _time.Advance(TimeSpan.FromSeconds(1));
        a.Sent();
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.False(silence.Any);
    }

    [Fact]
    public void A_silent_connection_that_closes_is_no_longer_counted()
    {
        var silence = new GatewaySilence(_time, After);
        var dying = silence.Open();
        using var live = silence.Open();
        dying.Sent();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        live.Received();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(silence.Any);

        dying.Dispose(); // the process exited: its connection is lost
        Assert.False(silence.Any);
    }

    [Fact]
    public async Task The_connection_middleware_sees_every_flush_to_the_gateway_and_every_byte_from_it()
    {
        var silence = new GatewaySilence(_time, After);
        using var live = silence.Open();
        var (gateway, context) = Watched(silence);

        await context.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes("request")); // written and flushed
        _time.Advance(TimeSpan.FromMilliseconds(10));
        live.Received();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(silence.Any);

        await gateway.WriteAsync(Encoding.ASCII.GetBytes("response"));
        var read = await context.Transport.Input.ReadAsync();
        Assert.Equal("response", Encoding.ASCII.GetString(read.Buffer.ToArray()));
        context.Transport.Input.AdvanceTo(read.Buffer.End);
        Assert.False(silence.Any);
    }

    [Fact]
    public async Task A_connection_is_lost_once_when_its_end_is_read_or_its_transport_closes()
    {
        var silence = new GatewaySilence(_time, After);
        var count = 0;
        silence.Closed += () => Interlocked.Increment(ref count); // raised on the thread pool for a transport's close
        int Closed() => Volatile.Read(ref count);

        // Closed by the gateway (its process exited): the read completes.
        var (fin, finContext) = Watched(silence);
        await fin.WriteAsync(Encoding.ASCII.GetBytes("last"));
        await fin.CompleteAsync();
        var read = await finContext.Transport.Input.ReadAsync();
        Assert.True(read.IsCompleted);
        Assert.Equal(1, Closed());
        finContext.Transport.Input.AdvanceTo(read.Buffer.End);
        await finContext.Transport.Input.ReadAsync(); // read again: one end, one signal
        Assert.Equal(1, Closed());

        // Reset: the read fails.
        var (reset, resetContext) = Watched(silence);
        var pending = resetContext.Transport.Input.ReadAsync();
        await reset.CompleteAsync(new IOException("Connection reset by peer"));
        await Assert.ThrowsAsync<IOException>(async () => await pending);
        Assert.Equal(2, Closed());

        // The client letting one go: its pending read cancelled is no end; its transport closing is (nothing will come).
        var (_, ownContext) = Watched(silence);
        pending = ownContext.Transport.Input.ReadAsync();
        ownContext.Transport.Input.CancelPendingRead();
        Assert.True((await pending).IsCanceled);
        Assert.Equal(2, Closed());
        ownContext.Abort(); // the transport's ConnectionClosed, raised on the thread pool
        await WaitUntil(() => Closed() == 3);

        finContext.Abort(); // the ended ones' transports close too: no second signal
        resetContext.Abort();
        await Task.Delay(100);
        Assert.Equal(3, Closed());
    }

    private static async Task WaitUntil(Func<bool> done)
    {
        for (var waited = 0; !done() && waited < 10_000; waited += 10) await Task.Delay(10);
        Assert.True(done());
    }

    /// <summary>A watched connection; the writer is the gateway's end of it.</summary>
    private static (PipeWriter Gateway, DefaultConnectionContext Context) Watched(GatewaySilence silence)
    {
        var toGateway = new Pipe();
        var fromGateway = new Pipe();
        var context = new DefaultConnectionContext(Guid.NewGuid().ToString(), new DuplexPipe(fromGateway.Reader, toGateway.Writer), new DuplexPipe(toGateway.Reader, fromGateway.Writer));
        silence.Watch(context);
        return (fromGateway.Writer, context);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
