using Microsoft.Extensions.Logging;

namespace Aether.Storage.Internal;

internal static partial class StorageLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Applied schema migration {Version} {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Schema migration {Version} {Name} differs from the one applied; migrations must not change once applied")]
    public static partial void MigrationChanged(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Migrating the database schema failed")]
    public static partial void MigrationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Created {Count} monthly partitions")]
    public static partial void PartitionsCreated(ILogger logger, int count);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Rebuilt read models from {Events} logged events")]
    public static partial void ReadModelsRebuilt(ILogger logger, long events);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Database unreachable while migrating; retrying in {Delay}")]
    public static partial void MigrationRetry(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Creating monthly partitions failed; retrying at the next check")]
    public static partial void PartitionMaintenanceFailed(ILogger logger, Exception exception);
}
