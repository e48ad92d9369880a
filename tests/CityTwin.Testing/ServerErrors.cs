using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CityTwin.Testing;

/// <summary>
/// The errors a test's API logged, so that a 500 fails the test with the server's exception instead of a bare status
/// code: a 500 is never an answer a test expects (client mistakes are 4xx, the twin's own outages 503), and one that
/// happens only on a loaded CI machine is otherwise gone with the process.
/// </summary>
public sealed class ServerErrors : ILoggerProvider
{
    private const int Kept = 20;
    private readonly ConcurrentQueue<string> _recent = new();

    /// <summary>Adds this recorder to an API's loggers (<c>ApiProgram.CreateApp</c>'s services).</summary>
    public void Register(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(this);

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public string Recent() => _recent.IsEmpty ? "(nothing at Error)" : string.Join("\n", _recent);

    public void Dispose()
    {
    }

    private void Add(string entry)
    {
        _recent.Enqueue(entry);
        while (_recent.Count > Kept) _recent.TryDequeue(out _);
    }

    private sealed class Recorder(ServerErrors errors, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) errors.Add($"{logLevel} {category}: {formatter(state, exception)}\n{exception}");
        }
    }

    /// <summary>Turns a 500 into an exception carrying what the API logged.</summary>
    public sealed class FailOn500(ServerErrors errors) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.InternalServerError) return response;
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{request.Method} {request.RequestUri?.PathAndQuery} answered 500: {body}\nThe API logged:\n{errors.Recent()}",
                null, HttpStatusCode.InternalServerError);
        }
    }
}
