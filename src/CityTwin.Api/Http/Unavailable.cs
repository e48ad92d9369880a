using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using CityTwin.Contracts.Storage;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;

namespace CityTwin.Api.Http;

/// <summary>
/// The twin's own infrastructure failing under a request — its database down or locked, a silo lost mid-call, no silo
/// reachable — is neither the client's mistake nor a bug: it is a 503 with <c>Retry-After</c>, never a 500, so
/// clients and devices retry instead of giving up. A command that fails this way was not acknowledged; one whose
/// answer was lost (a silo died after applying it) is safe to send again, as every command sets a state rather than
/// changing it by an amount.
/// </summary>
public static partial class Unavailable
{
    public const int RetryAfterSeconds = 5;

    /// <summary>True for failures that pass once the database or the cluster is back; false for everything else (a bug stays a 500).</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StorageUnavailableException or DbException or SocketException or TimeoutException:
                case SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException:
                // A gateway that refused the connection (its silo just died): the call never left the API.
                case ConnectionFailedException:
                // The silo cancelled the activation of the call's grain (its storage did not answer within Orleans'
                // activation timeout, or the silo is stopping): the next call activates it again. (One the API's own
                // request caused by being aborted is left to ASP.NET's 499: see Answers.)
                case OperationCanceledException:
                // A database exception whose type the API could not load arrives as Orleans' fallback, named.
                case UnavailableExceptionFallbackException fallback when IsDatabase(fallback.ExceptionType):
                    return true;
                // One the silo could not serialise at all (a driver's exception escaping where no filter translates it,
                // e.g. a grain's state failing to load) arrives as the serializer's error, naming the driver's type.
                case CodecNotFoundException missing when NamesDatabaseType(missing.Message):
                    return true;
                case AggregateException { InnerExceptions.Count: > 0 } many:
                    return many.InnerExceptions.All(IsTransient);
            }
        }
        return false;
    }

    private static bool NamesDatabaseType(string message) =>
        message.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(word => IsDatabase(word.TrimEnd('.')));

    private static bool IsDatabase(string? type) =>
        type is not null && (type.StartsWith("Npgsql.", StringComparison.Ordinal) || type.StartsWith("Microsoft.Data.Sqlite.", StringComparison.Ordinal)
                             || type.StartsWith("System.Data.", StringComparison.Ordinal));

    /// <summary>
    /// Whether the request's failure is answered with the 503: a transient one, under a request whose answer has not
    /// begun (a live feed's) and whose caller is still there (an aborted request is ASP.NET's 499, not an outage).
    /// </summary>
    private static bool Answers(HttpContext context, Exception exception) =>
        !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested && IsTransient(exception);

    /// <summary>Sets <c>Retry-After</c> on a 503: the handler's below and every <see cref="UnavailableProblem"/>.</summary>
    public static void SetRetryAfter(HttpContext context, int seconds = RetryAfterSeconds) =>
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>The 503 the handler below answers.</summary>
    public static ProblemHttpResult Problem() => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: Problems.TypeBase + "unavailable",
        title: "The twin is briefly unavailable",
        detail: $"Its database or one of its servers did not answer; the request was not acknowledged. Send it again in {RetryAfterSeconds} s.",
        extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = RetryAfterSeconds });

    /// <summary>
    /// Answers a transient failure with <see cref="Problem"/> and logs it, one line a second at most: a silo's failover
    /// fails every call to its grains for about a second, and clients retrying them made a thousand identical warnings
    /// a second in the failover benchmark (each line also costs the API time when it has least to spare). The next
    /// line says how many were not logged; <c>http.server.request.duration</c> counts every 503.
    /// </summary>
    public sealed partial class Handler(ILogger<Handler> logger, TimeProvider time) : IExceptionHandler
    {
        public static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(1);

        private long _nextLineAt; // a timestamp of the TimeProvider; 0: the first 503 is logged
        private int _unlogged;

        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (!Answers(context, exception)) return false;
            await Answer(context, exception).ExecuteAsync(context);
            return true;
        }

        /// <summary>The 503 for a transient failure under a request not yet answered: logged, <c>Retry-After</c> set.</summary>
        internal ProblemHttpResult Answer(HttpContext context, Exception exception)
        {
            Log(context, exception);
            SetRetryAfter(context);
            return Problem();
        }

        private void Log(HttpContext context, Exception exception)
        {
            var now = time.GetTimestamp();
            var next = Interlocked.Read(ref _nextLineAt);
            var quietFor = (long)(LogEvery.TotalSeconds * time.TimestampFrequency);
            if (now < next || Interlocked.CompareExchange(ref _nextLineAt, now + quietFor, next) != next)
            {
                Interlocked.Increment(ref _unlogged);
                return;
            }
            LogUnavailable(logger, context.Request.Method, context.Request.Path, exception.GetType().Name, exception.Message, Interlocked.Exchange(ref _unlogged, 0));
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "503 for {Method} {Path}: {Exception}: {Reason} ({Unlogged} more 503s since the last of these lines)")]
        private static partial void LogUnavailable(ILogger logger, string method, string path, string exception, string reason, int unlogged);
    }

    /// <summary>
    /// Answers a transient failure as the handler above does, but where the endpoint awaited it: an exception that
    /// travels on to the handler is thrown again at every middleware it passes (about ten), and when a silo dies every
    /// call to its grains fails at once — in the failover benchmark, 2,000 503s a second whose unwinding kept both of
    /// the API's thread-pool workers busy, so the answers for other silos' grains waited in the queue behind them.
    /// </summary>
    public sealed class Filter(Handler handler) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (Exception exception) when (Answers(context.HttpContext, exception))
            {
                return handler.Answer(context.HttpContext, exception);
            }
        }
    }

    /// <summary>
    /// Writes one 503 at start, to nowhere: the first one built the JSON metadata of a problem and compiled its path,
    /// 30 ms of the API's time in the failover benchmark's traces, and the first one comes when a silo dies.
    /// </summary>
    public sealed class WarmUp(IServiceProvider services) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var context = new DefaultHttpContext { RequestServices = services };
            context.Response.Body = Stream.Null;
            await Problem().ExecuteAsync(context);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
