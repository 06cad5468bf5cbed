using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Aether.GraphQL.Tests.Support;

/// <summary>Collects log entries so a test can fail on an unexpected error, and check that secrets are never logged.</summary>
public sealed class TestLog : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => _entries;

    public IEnumerable<Entry> Errors => _entries.Where(e => e.Level >= LogLevel.Error);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AssertNoErrors() =>
        Assert.True(!Errors.Any(), "Unexpected error logs:\n" + string.Join("\n", Errors));

    public string All => string.Join("\n", _entries);

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}[{EventId.Id}]: {Message} {Exception}";
    }

    private sealed class Logger(TestLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
            }
        }
    }
}
