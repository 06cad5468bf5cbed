using Microsoft.Extensions.Logging;

namespace Aether.PipelineBench;

/// <summary>
/// Counts events the ingestor reports committed (its "Committed" debug log, event id 205), so the benchmark learns of
/// the last commit without polling PostgreSQL or NATS, either of which would take CPU from the servers under test.
/// </summary>
internal sealed class CommitCounter : ILoggerProvider
{
    private const int CommittedEventId = 205;
    private long _committed;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _target = long.MaxValue;

    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>Completes when <paramref name="target"/> events (new or repeated) have been committed.</summary>
    public Task WhenCommittedAsync(long target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _target, target);
        if (Committed >= target)
        {
            _reached.TrySetResult();
        }

        return _reached.Task;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Add(long events)
    {
        if (Interlocked.Add(ref _committed, events) >= Interlocked.Read(ref _target))
        {
            _reached.TrySetResult();
        }
    }

    private sealed class Logger(CommitCounter counter) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != CommittedEventId || state is not IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                return;
            }

            long events = 0;
            foreach (var (key, value) in values)
            {
                if (key is "Inserted" or "Duplicates" && value is int n)
                {
                    events += n;
                }
            }

            counter.Add(events);
        }
    }
}
