using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Aether.Controller.Tests.Support;

/// <summary>Captures log entries of every category so a test can fail on an unexpected error and check what was logged.</summary>
public sealed class TestLog : ILoggerFactory, ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

    public IEnumerable<string> Errors => Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}");

    public bool Logged(int eventId) => Entries.Any(e => e.EventId.Id == eventId);

    public string Text => string.Join("\n", Entries.Select(e => e.Message));

    public ILogger<T> For<T>() => new Logger<T>(this);

    public ILogger CreateLogger(string categoryName) => new Entry(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void AssertNoErrors() => Assert.Empty(Errors);

    public void Dispose()
    {
    }

    private sealed class Entry(TestLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}

internal static class TestTimeouts
{
    /// <summary>Every await in a test is bounded by this.</summary>
    public static readonly TimeSpan Await = TimeSpan.FromSeconds(60);

    public static CancellationToken Token() => new CancellationTokenSource(Await).Token;

    /// <summary>Polls until the condition holds, failing with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Await;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
            await Task.Delay(50);
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Await;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
            await Task.Delay(100);
        }
    }
}
