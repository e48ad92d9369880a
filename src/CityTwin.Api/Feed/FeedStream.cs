using System.Buffers;
using System.Reflection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace CityTwin.Api.Feed;

/// <summary>
/// One client's <c>text/event-stream</c>: <c>retry:</c>, then a gap notice or the replayed events, then live events
/// as they come, flushed per batch, with a comment line whenever the stream has been quiet for a heartbeat. Ends
/// when the client goes away or the API stops; either way the client leaves the feed.
/// </summary>
public sealed class FeedStream(FeedSubscription subscription, FeedOptions options, TimeProvider time, CancellationToken stopping, string epoch)
    : IResult, IEndpointMetadataProvider
{
    public const string MediaType = "text/event-stream";

    /// <summary>For OpenAPI: a 200 of Server-Sent Events, as text (the frames are described in the README, not as a schema).</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [MediaType]));

    private const int FlushBytes = 32 * 1024;

    public async Task ExecuteAsync(HttpContext http)
    {
        using var _ = subscription;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: do not buffer the stream
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var ct = stop.Token;
        var body = response.BodyWriter;
        try
        {
            body.Write(FeedFrames.Preamble(options.Retry, epoch));
            if (subscription.StartGap is { } gap) body.Write(gap);
            var pending = 0;
            foreach (var item in subscription.Replay)
            {
                body.Write(item.Frame);
                pending += item.Frame.Length;
                if (pending < FlushBytes) continue;
                await body.FlushAsync(ct);
                pending = 0;
            }
            await body.FlushAsync(ct);

            var reader = subscription.Subscriber.Reader;
            var lastWrite = time.GetTimestamp();
            Task<bool>? ready = null;
            Task? beat = null; // one heartbeat timer at a time, re-armed only when it fires
            while (true)
            {
                pending = 0;
                while (pending < FlushBytes && reader.TryRead(out var item))
                {
                    body.Write(item.Frame);
                    pending += item.Frame.Length;
                }
                if (pending > 0)
                {
                    if ((await body.FlushAsync(ct)).IsCompleted) return;
                    lastWrite = time.GetTimestamp();
                    continue; // more may have come while flushing
                }

                ready ??= reader.WaitToReadAsync(ct).AsTask();
                if (!ready.IsCompleted)
                {
                    beat ??= Task.Delay(Remaining(lastWrite), time, ct);
                    await Task.WhenAny(ready, beat);
                    ct.ThrowIfCancellationRequested();
                }
                if (ready.IsCompleted)
                {
                    if (!await ready) return; // the feed completed this subscriber: the API is stopping
                    ready = null;
                }
                else
                {
                    beat = null;
                    if (Remaining(lastWrite) > TimeSpan.Zero) continue; // events were written since it was armed
                    body.Write(FeedFrames.Heartbeat);
                    if ((await body.FlushAsync(ct)).IsCompleted) return;
                    lastWrite = time.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away, or the API is stopping
        }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
    }

    private TimeSpan Remaining(long lastWrite)
    {
        var remaining = options.Heartbeat - time.GetElapsedTime(lastWrite);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}
