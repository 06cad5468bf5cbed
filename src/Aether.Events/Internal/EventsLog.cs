using Microsoft.Extensions.Logging;

namespace Aether.Events.Internal;

internal static partial class EventsLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Event stream {Stream} ready on subjects {Subjects}")]
    public static partial void StreamReady(ILogger logger, string stream, string subjects);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Publishing event {MessageId} failed on attempt {Attempt}; retrying in {Delay}")]
    public static partial void PublishRetry(ILogger logger, string messageId, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Event {MessageId} was already in the stream")]
    public static partial void PublishDuplicate(ILogger logger, string messageId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Event {MessageId} published after {Attempts} attempts")]
    public static partial void PublishRecovered(ILogger logger, string messageId, int attempts);
}
