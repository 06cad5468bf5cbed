using System.Net;
using Microsoft.Extensions.Logging;

namespace Aether.Radius;

public sealed partial class RadiusClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Retransmitting {Code} id {Identifier} to {Server}, retransmission {Retransmission}")]
        public static partial void Retransmitting(ILogger logger, RadiusCode code, byte identifier, IPEndPoint server, int retransmission);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "RADIUS server {Server} did not answer {Code} after {Transmissions} transmissions; held down for {HoldDown}")]
        public static partial void ServerDown(ILogger logger, IPEndPoint server, RadiusCode code, int transmissions, TimeSpan holdDown);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "RADIUS server {Server} answers again")]
        public static partial void ServerUp(ILogger logger, IPEndPoint server);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Dropped {Code} id {Identifier} from {Server}: {Reason}")]
        public static partial void InvalidResponse(ILogger logger, RadiusCode code, byte identifier, IPEndPoint server, string reason);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Dropped {Code} id {Identifier} from {Source}: no matching request in flight")]
        public static partial void UnexpectedResponse(ILogger logger, RadiusCode code, byte identifier, IPEndPoint source);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Dropped a malformed datagram from {Source}: {Error}")]
        public static partial void MalformedResponse(ILogger logger, IPEndPoint source, RadiusParseError error);

        [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Receiving RADIUS responses failed")]
        public static partial void ReceiveFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "No server answered {Code} id {Identifier} ({Servers} servers tried)")]
        public static partial void AllServersTimedOut(ILogger logger, RadiusCode code, byte identifier, int servers);

        [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "No valid answer to {Code} id {Identifier}: {Invalid} responses failed the authenticator checks")]
        public static partial void NoValidResponse(ILogger logger, RadiusCode code, byte identifier, int invalid);

        [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Could not resolve RADIUS server {Host}: {Error}; held down")]
        public static partial void ResolveFailed(ILogger logger, string host, System.Net.Sockets.SocketError error);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Could not send to RADIUS server {Server}: {Error}; held down")]
        public static partial void SendFailed(ILogger logger, IPEndPoint server, System.Net.Sockets.SocketError error);
    }
}
