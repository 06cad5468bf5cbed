using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Aether.Radius.Tests.Support;

/// <summary>Captures log entries so a test can fail on an unexpected error and check what was logged.</summary>
public sealed class TestLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public IEnumerable<string> Errors => Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception) + (exception is null ? "" : " " + exception)));

    public bool Logged(int eventId) => Entries.Any(e => e.EventId.Id == eventId);
}
