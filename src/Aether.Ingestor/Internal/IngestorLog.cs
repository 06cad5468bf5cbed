using Microsoft.Extensions.Logging;

namespace Aether.Ingestor.Internal;

internal static partial class IngestorLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Ingestor consuming {Stream} as durable {Durable} in batches of up to {BatchSize}")]
    public static partial void Started(ILogger logger, string stream, string durable, int batchSize);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Fetching from the event stream failed; retrying in {Delay}")]
    public static partial void FetchFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Writing a batch of {Count} events failed; retrying in {Delay}")]
    public static partial void WriteFailed(ILogger logger, int count, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Rejected event at stream sequence {StreamSequence} on {Subject}: {Error}")]
    public static partial void Rejected(ILogger logger, ulong streamSequence, string subject, string error);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Acknowledging {Count} committed events failed; they will be redelivered and skipped")]
    public static partial void AckFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 205, Level = LogLevel.Debug, Message = "Committed {Inserted} events ({Duplicates} already logged, {Rejected} rejected)")]
    public static partial void Committed(ILogger logger, int inserted, int duplicates, int rejected);

    [LoggerMessage(EventId = 206, Level = LogLevel.Critical, Message = "The ingestor stopped on an unrecoverable error; stopping the host")]
    public static partial void Fatal(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Setting up the event stream consumer failed; retrying in {Delay}")]
    public static partial void SetupFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "Event at stream sequence {StreamSequence} breaks a database constraint and was set aside: {Error}")]
    public static partial void SetAside(ILogger logger, long streamSequence, string error);

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "Topping up a batch failed; writing the {Count} events fetched so far")]
    public static partial void TopUpFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 210, Level = LogLevel.Error, Message = "Writing a batch of {Count} events has failed {Failures} times; ingestion is stalled until it succeeds")]
    public static partial void WriteStalled(ILogger logger, int count, int failures, Exception exception);
}
