using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace CityTwin.LoadTests;

/// <summary>
/// A device-side MQTT 3.1.1 publisher for the ingest benchmark: QoS 1 PUBLISH packets written back to back on one
/// socket, up to <c>window</c> of them unacknowledged, PUBACKs read on another task. MQTTnet's client awaits each
/// publish's PUBACK through a task of its own, and four of them published about 12,000 messages/s here — the
/// benchmark measured its publishers, not the bridge. A fleet of devices behind a gateway has many messages in
/// flight at once, as this has. Only what the benchmark needs: CONNECT with a user, PUBLISH QoS 1, PUBACK, DISCONNECT.
/// </summary>
public sealed class PipelinedMqttPublisher : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _window;
    private readonly Action<int, long> _acknowledged;
    private readonly int[] _indices = new int[ushort.MaxValue + 1]; // by packet id: what the publish was about
    private readonly long[] _ticks = new long[ushort.MaxValue + 1];
    private readonly byte[] _buffer = new byte[256 * 1024];
    private readonly Task _reading;
    private int _length;
    private ushort _nextId;
    private long _acknowledgedCount;

    public long Acknowledged => Interlocked.Read(ref _acknowledgedCount);

    private PipelinedMqttPublisher(TcpClient tcp, int window, Action<int, long> acknowledged)
    {
        (_tcp, _stream, _window, _acknowledged) = (tcp, tcp.GetStream(), new SemaphoreSlim(window), acknowledged);
        _reading = Task.Run(ReadAcknowledgementsAsync);
    }

    /// <param name="acknowledged">Runs on the reader's task with a publish's index and tick once the broker has it.</param>
    public static async Task<PipelinedMqttPublisher> ConnectAsync(
        int port, string clientId, string user, string password, Action<int, long> acknowledged, int window = 10_000)
    {
        if (window >= ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(window), "packet ids are 16 bits");
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        // CONNECT: protocol "MQTT" level 4, clean session, user + password, no keep-alive (the run is short).
        var body = new List<byte>();
        body.AddRange([0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x80 | 0x40 | 0x02, 0, 0]);
        foreach (var text in new[] { clientId, user, password })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            body.AddRange([(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes]);
        }
        var packet = new byte[1 + 4 + body.Count];
        packet[0] = 0x10;
        var at = 1 + WriteLength(packet.AsSpan(1), body.Count);
        body.CopyTo(packet, at);
        await stream.WriteAsync(packet.AsMemory(0, at + body.Count));
        var connack = new byte[4];
        await stream.ReadExactlyAsync(connack);
        if (connack[0] != 0x20 || connack[3] != 0)
            throw new InvalidOperationException($"the broker refused '{clientId}' (CONNACK code {connack[3]})");
        return new PipelinedMqttPublisher(tcp, window, acknowledged);
    }

    /// <summary>Queues a QoS 1 PUBLISH; the acknowledgement callback gets <paramref name="index"/> and <paramref name="tick"/>.</summary>
    public async ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, int index, long tick)
    {
        if (!_window.Wait(0))
        {
            await FlushAsync(); // what is buffered must reach the broker, or its PUBACKs never free the window
            await _window.WaitAsync();
        }
        var id = ++_nextId == 0 ? ++_nextId : _nextId;
        (_indices[id], _ticks[id]) = (index, tick);
        var topicLength = Encoding.UTF8.GetByteCount(topic);
        var remaining = 2 + topicLength + 2 + payload.Length;
        if (_length + 5 + remaining > _buffer.Length) await FlushAsync();
        var span = _buffer.AsSpan(_length);
        span[0] = 0x32; // PUBLISH, QoS 1
        var at = 1 + WriteLength(span[1..], remaining);
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)topicLength);
        at += 2 + Encoding.UTF8.GetBytes(topic, span[(at + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], id);
        payload.Span.CopyTo(span[(at + 2)..]);
        _length += at + 2 + payload.Length;
        if (_length > _buffer.Length / 2) await FlushAsync();
    }

    public async ValueTask FlushAsync()
    {
        if (_length == 0) return;
        await _stream.WriteAsync(_buffer.AsMemory(0, _length));
        _length = 0;
    }

    /// <summary>Flushes and waits until every publish was acknowledged (or <paramref name="timeout"/> passed).</summary>
    public async Task DrainAsync(long published, TimeSpan timeout)
    {
        await FlushAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (Acknowledged < published && DateTime.UtcNow < deadline) await Task.Delay(20);
    }

    private async Task ReadAcknowledgementsAsync()
    {
        var buffer = new byte[64 * 1024];
        var (start, end) = (0, 0);
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(end));
                if (read == 0) return;
                end += read;
                while (end - start >= 4)
                {
                    // The broker sends this client nothing but PUBACKs (0x40, length 2, packet id).
                    if (buffer[start] != 0x40 || buffer[start + 1] != 2) throw new InvalidOperationException($"unexpected MQTT packet 0x{buffer[start]:x2}");
                    var id = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start + 2));
                    _acknowledged(_indices[id], _ticks[id]);
                    Interlocked.Increment(ref _acknowledgedCount);
                    _window.Release();
                    start += 4;
                }
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                (start, end) = (0, end - start);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException) { }
    }

    private static int WriteLength(Span<byte> to, int length)
    {
        var n = 0;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            to[n++] = length > 0 ? (byte)(digit | 0x80) : digit;
        } while (length > 0);
        return n;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await FlushAsync();
            await _stream.WriteAsync(new byte[] { 0xE0, 0 }); // DISCONNECT
        }
        catch (IOException) { }
        _tcp.Dispose();
        await _reading;
        _window.Dispose();
    }
}
