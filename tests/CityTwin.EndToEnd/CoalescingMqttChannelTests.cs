using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using CityTwin.Api.Ingest;
using MQTTnet.Channel;
using MQTTnet.Exceptions;

namespace CityTwin.EndToEnd;

/// <summary>The MQTT bridge's channel on its own: acknowledgements coalesced into few sends, in order, and nothing lost on disconnect.</summary>
public sealed class CoalescingMqttChannelTests
{
    [Fact]
    public async Task Packets_written_while_a_send_is_in_flight_go_out_together_in_order()
    {
        var inner = new FakeChannel { Blocked = new TaskCompletionSource() };
        var channel = new CoalescingMqttChannel(inner);

        for (var i = 0; i < 1_000; i++) await channel.WriteAsync(PubAck(i), isEndOfPacket: true, CancellationToken.None); // none waits for a send
        inner.Blocked.SetResult();
        await channel.DisconnectAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 1_000).SelectMany(i => PubAck(i).ToArray()), inner.Sent.SelectMany(s => s));
        Assert.InRange(inner.Sent.Count, 1, 3); // one send was in flight when the rest queued: they follow in one more
        Assert.True(inner.Disconnected);
    }

    [Fact]
    public async Task A_failed_send_fails_the_next_write_so_the_client_reconnects()
    {
        var inner = new FakeChannel { Failure = new IOException("connection reset") };
        var channel = new CoalescingMqttChannel(inner);

        await channel.WriteAsync(PubAck(1), isEndOfPacket: true, CancellationToken.None);
        await WaitUntil(() => inner.Attempts > 0);
        await Task.Delay(50);

        var error = await Assert.ThrowsAsync<MqttCommunicationException>(() => channel.WriteAsync(PubAck(2), isEndOfPacket: true, CancellationToken.None));
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task Small_reads_are_served_from_one_read_of_the_socket()
    {
        var inner = new FakeChannel { Incoming = [.. Enumerable.Range(0, 100).SelectMany(i => PubAck(i).ToArray())] };
        var channel = new CoalescingMqttChannel(inner);

        var read = new List<byte>();
        var buffer = new byte[4];
        for (var i = 0; i < 100; i++)
        {
            // As MQTTnet reads a packet: its fixed header's first byte, its length, then its body.
            foreach (var size in new[] { 1, 1, 2 })
            {
                Assert.Equal(size, await channel.ReadAsync(buffer, 0, size, CancellationToken.None));
                read.AddRange(buffer.AsSpan(0, size).ToArray());
            }
        }

        Assert.Equal(inner.Incoming, read);
        Assert.Equal(1, inner.Reads);
    }

    private static ReadOnlySequence<byte> PubAck(int id) => new([0x40, 0x02, (byte)(id >> 8), (byte)id]);

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    private sealed class FakeChannel : IMqttChannel
    {
        public TaskCompletionSource? Blocked { get; init; }
        public Exception? Failure { get; init; }
        public byte[] Incoming { get; init; } = [];
        public List<byte[]> Sent { get; } = [];
        public int Attempts { get; private set; }
        public int Reads { get; private set; }
        public bool Disconnected { get; private set; }
        private int _readAt;

        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1883);
        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 50000);
        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken)
        {
            Disconnected = true;
            return Task.CompletedTask;
        }

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Reads++;
            var n = Math.Min(count, Incoming.Length - _readAt);
            Incoming.AsSpan(_readAt, n).CopyTo(buffer.AsSpan(offset));
            _readAt += n;
            return Task.FromResult(n);
        }

        public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        {
            Attempts++;
            if (Failure is not null) throw Failure;
            var copy = buffer.ToArray(); // the channel reuses its buffer after the send
            if (Blocked is not null) await Blocked.Task;
            Sent.Add(copy);
        }

        public void Dispose() { }
    }
}
