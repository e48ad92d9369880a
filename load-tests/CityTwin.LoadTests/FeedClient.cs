using System.Diagnostics;
using System.Threading.Channels;

namespace CityTwin.LoadTests;

/// <summary>One event as a client received it: its SSE fields and when it was read (a <see cref="Stopwatch"/> timestamp).</summary>
public sealed record FeedMessage(string? Id, string Event, string Data, long ReceivedAt);

/// <summary>
/// A minimal Server-Sent Events client for the live feed (GET /api/feed): parses the stream line by line as the SSE
/// spec says (fields <c>id</c>, <c>event</c>, <c>data</c>, <c>retry</c>; comments). Shared by the end-to-end tests
/// and the feed benchmark. A client created with <c>read: false</c> connects and then reads nothing until
/// <see cref="StartReading"/>: a stalled consumer.
/// </summary>
public sealed class FeedClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<FeedMessage> _messages = Channel.CreateUnbounded<FeedMessage>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Action<FeedMessage>? _onMessage;
    private Task? _reading;
    private int _comments;

    private FeedClient(HttpResponseMessage response, Action<FeedMessage>? onMessage)
    {
        _response = response;
        _onMessage = onMessage;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>The <c>retry:</c> the server asked for, once seen.</summary>
    public string? Retry { get; private set; }

    /// <summary>Heartbeat (comment) lines seen.</summary>
    public int Heartbeats => Volatile.Read(ref _comments);

    /// <summary>Events read so far, in order, once taken with <see cref="NextAsync"/>; or all of them with <see cref="Drain"/>.</summary>
    public ChannelReader<FeedMessage> Messages => _messages.Reader;

    /// <summary>
    /// Connects; returns once the response headers are in. <paramref name="onMessage"/> (optional) sees every event
    /// as it is parsed, on the reading task — then events are not queued for <see cref="NextAsync"/>.
    /// </summary>
    public static async Task<FeedClient> ConnectAsync(HttpClient http, string query = "", string? lastEventId = null, bool read = true,
        Action<FeedMessage>? onMessage = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/feed" + query);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var client = new FeedClient(response, onMessage);
        if (response.IsSuccessStatusCode && read) client.StartReading();
        return client;
    }

    public void StartReading() => _reading ??= Task.Run(() => ReadAsync(_stop.Token));

    /// <summary>The next event, or null if none comes within <paramref name="timeout"/>.</summary>
    public async Task<FeedMessage?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _messages.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Events up to and including the first that <paramref name="done"/> accepts (all read until the timeout otherwise).</summary>
    public async Task<List<FeedMessage>> UntilAsync(Func<FeedMessage, bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var seen = new List<FeedMessage>();
        while (deadline.Elapsed < timeout)
        {
            if (await NextAsync(timeout - deadline.Elapsed) is not { } message) break;
            seen.Add(message);
            if (done(message)) break;
        }
        return seen;
    }

    /// <summary>Everything queued right now.</summary>
    public List<FeedMessage> Drain()
    {
        var list = new List<FeedMessage>();
        while (_messages.Reader.TryRead(out var m)) list.Add(m);
        return list;
    }

    private async Task ReadAsync(CancellationToken ct)
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream);
            string? id = null, type = null;
            var data = new List<string>(1);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                    {
                        var message = new FeedMessage(id, type ?? "message", string.Join('\n', data), Stopwatch.GetTimestamp());
                        if (_onMessage is not null) _onMessage(message);
                        else _messages.Writer.TryWrite(message);
                    }
                    (id, type) = (null, null);
                    data.Clear();
                    continue;
                }
                if (line[0] == ':')
                {
                    Interlocked.Increment(ref _comments);
                    continue;
                }
                var colon = line.IndexOf(':');
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "id": id = value; break;
                    case "event": type = value; break;
                    case "data": data.Add(value); break;
                    case "retry": Retry = value; break;
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        catch (HttpRequestException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        if (_reading is not null)
        {
            try { await _reading; }
            catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }
}
