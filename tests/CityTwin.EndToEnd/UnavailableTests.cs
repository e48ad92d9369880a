using CityTwin.Api.Http;
using CityTwin.Contracts.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace CityTwin.EndToEnd;

/// <summary>Which failures the API answers with 503 + Retry-After (try again) rather than 500 (a bug to report).</summary>
public sealed class UnavailableTests
{
    public static TheoryData<Exception> Transient => new()
    {
        new StorageUnavailableException("the database is unavailable"),
        new TimeoutException("Response did not arrive on time"),
        new SiloUnavailableException("the silo died"),
        // A command sent through the gateway of a silo just killed, before the client knew: the connection was refused.
        new Orleans.Runtime.Messaging.ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:44115:0. See InnerException",
            new Orleans.Networking.Shared.SocketConnectionException("Unable to connect to 127.0.0.1:44115. Error: ConnectionRefused")),
        new SqliteException("database is locked", 5),
        // The grain's activation cancelled by its silo (storage slower than the activation timeout, or the silo stopping).
        new TaskCanceledException("A task was canceled."),
        new InvalidOperationException("wrapped", new StorageUnavailableException("down")),
        new AggregateException(new TimeoutException(), new StorageUnavailableException("down")),
        // A driver's exception the silo could not serialise arrives as the serializer's error, naming it.
        new Orleans.Serialization.CodecNotFoundException("Could not find a codec for type Npgsql.PostgresException."),
    };

    public static TheoryData<Exception> Bugs => new()
    {
        new InvalidOperationException("a bug"),
        new NullReferenceException(),
        new ArgumentException("bad"),
        new AggregateException(new TimeoutException(), new NullReferenceException()),
        new Orleans.Serialization.CodecNotFoundException("Could not find a codec for type CityTwin.Domain.Assets.Asset."),
    };

    [Theory, MemberData(nameof(Transient))]
    public void Database_and_cluster_faults_are_transient(Exception e) => Assert.True(Unavailable.IsTransient(e));

    [Theory, MemberData(nameof(Bugs))]
    public void Other_failures_stay_errors(Exception e) => Assert.False(Unavailable.IsTransient(e));

    [Fact]
    public async Task A_burst_of_503s_is_logged_once_a_second_with_how_many_were_not()
    {
        var time = new FakeTimeProvider();
        var log = new RecordingLogger<Unavailable.Handler>();
        var handler = new Unavailable.Handler(log, time);
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        async Task<HttpContext> FailAsync()
        {
            var context = new DefaultHttpContext { RequestServices = services };
            context.Request.Method = "GET";
            context.Request.Path = "/api/assets/pole-0001";
            Assert.True(await handler.TryHandleAsync(context, new SiloUnavailableException("the silo died"), CancellationToken.None));
            return context;
        }

        // A silo's failover: a hundred reads of its grains fail within the second. Each is answered, one is logged.
        for (var i = 0; i < 100; i++)
        {
            var answer = await FailAsync();
            Assert.Equal(StatusCodes.Status503ServiceUnavailable, answer.Response.StatusCode);
            Assert.Equal("5", answer.Response.Headers.RetryAfter.ToString());
        }
        Assert.Equal(["503 for GET /api/assets/pole-0001: SiloUnavailableException: the silo died (0 more 503s since the last of these lines)"], log.Messages);

        // A second later the next one is logged, counting the 99 that were not.
        time.Advance(Unavailable.Handler.LogEvery - TimeSpan.FromTicks(1));
        await FailAsync();
        Assert.Single(log.Messages);
        time.Advance(TimeSpan.FromTicks(1));
        await FailAsync();
        Assert.Equal(2, log.Messages.Count);
        Assert.EndsWith("(100 more 503s since the last of these lines)", log.Messages[1]);
    }

    [Fact]
    public async Task An_endpoint_answers_its_own_infrastructure_failure_with_a_503_and_leaves_bugs_and_started_answers_alone()
    {
        var log = new RecordingLogger<Unavailable.Handler>();
        var filter = new Unavailable.Filter(new Unavailable.Handler(log, new FakeTimeProvider()));
        static DefaultEndpointFilterInvocationContext Call()
        {
            var context = new DefaultHttpContext();
            context.Request.Method = "GET";
            context.Request.Path = "/api/assets/pole-0001";
            return new DefaultEndpointFilterInvocationContext(context);
        }
        static EndpointFilterDelegate Failing(Exception e) => _ => ValueTask.FromException<object?>(e);

        // A silo lost under the call: the endpoint's answer is the 503 problem, with Retry-After, logged once.
        var lost = Call();
        var answer = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>(
            await filter.InvokeAsync(lost, Failing(new SiloUnavailableException("the silo died"))));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, answer.StatusCode);
        Assert.Equal("5", lost.HttpContext.Response.Headers.RetryAfter.ToString());
        Assert.Single(log.Messages);

        // A bug goes on to the exception handler (a 500), and so does a failure after the answer began (a live feed).
        await Assert.ThrowsAsync<NullReferenceException>(async () => await filter.InvokeAsync(Call(), Failing(new NullReferenceException())));
        var streaming = Call();
        streaming.HttpContext.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(new StartedResponse());
        await Assert.ThrowsAsync<SiloUnavailableException>(async () => await filter.InvokeAsync(streaming, Failing(new SiloUnavailableException("the silo died"))));
        Assert.Single(log.Messages);

        // A request its caller aborted is not an outage: ASP.NET answers it 499 and logs it at Debug.
        var aborted = Call();
        using (var abort = new CancellationTokenSource())
        {
            aborted.HttpContext.RequestAborted = abort.Token;
            abort.Cancel();
            await Assert.ThrowsAsync<TaskCanceledException>(async () => await filter.InvokeAsync(aborted, Failing(new TaskCanceledException())));
        }
        Assert.Single(log.Messages);

        // An answer passes through untouched.
        Assert.Equal("ok", await filter.InvokeAsync(Call(), _ => ValueTask.FromResult<object?>("ok")));
    }

    private sealed class StartedResponse : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
