using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CityTwin.EndToEnd;

/// <summary>Keeps every line a component logs, with its level, for tests of what it tells an operator.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    /// <summary>The lines written so far, in order.</summary>
    public IReadOnlyList<string> Messages => [.. Entries.Select(e => e.Message)];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
}
