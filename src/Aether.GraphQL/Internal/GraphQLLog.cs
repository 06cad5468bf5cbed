using Microsoft.Extensions.Logging;

namespace Aether.GraphQL.Internal;

internal static partial class GraphQLLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "GraphQL has no API keys configured: mutations are refused, and reads are {Reads} (GraphQL:AllowAnonymousRead). Configure GraphQL:ApiKeys or GraphQL:ApiKeysFile.")]
    public static partial void NoApiKeys(ILogger logger, string reads);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "GraphQL API keys: {Count} ({Operators} operator); anonymous reads {Reads}")]
    public static partial void ApiKeys(ILogger logger, int count, int operators, string reads);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "No RADIUS database is configured (ConnectionStrings:Radius): provisioning mutations are refused")]
    public static partial void NoRadiusDatabase(ILogger logger);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "GraphQL field {Path} failed")]
    public static partial void FieldFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "GraphQL field {Path}: a database is unavailable")]
    public static partial void DatabaseUnavailable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Refused GraphQL request from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "GraphQL mutation {Operation} by key '{KeyName}'")]
    public static partial void Mutation(ILogger logger, string operation, string keyName);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "WebSocket {Connection} from {Remote} opened")]
    public static partial void SocketOpened(ILogger logger, string connection, string remote);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "WebSocket {Connection} from {Remote} closed by the server: {Code} {Reason}")]
    public static partial void SocketClosed(ILogger logger, string connection, string remote, int code, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Debug, Message = "WebSocket {Connection} ended: {Reason}")]
    public static partial void SocketEnded(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "WebSocket {Connection} from {Remote} reads too slowly ({Queued} messages queued); closing it")]
    public static partial void SocketTooSlow(ILogger logger, string connection, string remote, int queued);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "WebSocket {Connection} operation {OperationId} failed")]
    public static partial void OperationFailed(ILogger logger, string connection, string operationId, Exception exception);
}
