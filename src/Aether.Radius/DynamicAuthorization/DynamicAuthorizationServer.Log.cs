using System.Net;
using Microsoft.Extensions.Logging;

namespace Aether.Radius.DynamicAuthorization;

public sealed partial class DynamicAuthorizationServer
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Dynamic authorization listening on {Endpoint} for {Clients} clients")]
        public static partial void Listening(ILogger logger, IPEndPoint endpoint, int clients);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Dropped a datagram from unknown client {Source}")]
        public static partial void UnknownClient(ILogger logger, IPEndPoint source);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Dropped a malformed datagram from {Client} {Source}: {Error}")]
        public static partial void Malformed(ILogger logger, string client, IPEndPoint source, RadiusParseError error);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Dropped {Code} from {Client} {Source}: not a CoA or Disconnect request")]
        public static partial void UnsupportedCode(ILogger logger, RadiusCode code, string client, IPEndPoint source);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Dropped {Code} id {Identifier} from {Client} {Source}: wrong Request Authenticator (check the shared secret)")]
        public static partial void InvalidAuthenticator(ILogger logger, RadiusCode code, byte identifier, string client, IPEndPoint source);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Dropped {Code} id {Identifier} from {Client} {Source}: Message-Authenticator {Status}")]
        public static partial void InvalidMessageAuthenticator(ILogger logger, RadiusCode code, byte identifier, string client, IPEndPoint source, MessageAuthenticatorStatus status);

        [LoggerMessage(EventId = 1107, Level = LogLevel.Debug, Message = "Duplicate {Code} id {Identifier} from {Source}")]
        public static partial void Duplicate(ILogger logger, RadiusCode code, byte identifier, IPEndPoint source);

        [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "{Code} id {Identifier} from {Client} {Source} session {AcctSessionId}: ack {Acknowledged}, error-cause {ErrorCause}")]
        public static partial void Answered(ILogger logger, RadiusCode code, byte identifier, string client, IPEndPoint source, string? acctSessionId, bool acknowledged, ErrorCause? errorCause);

        [LoggerMessage(EventId = 1109, Level = LogLevel.Error, Message = "The handler failed on {Code} id {Identifier} from {Source} session {AcctSessionId}; answering NAK Resources-Unavailable")]
        public static partial void HandlerFailed(ILogger logger, RadiusCode code, byte identifier, IPEndPoint source, string? acctSessionId, Exception exception);

        [LoggerMessage(EventId = 1110, Level = LogLevel.Error, Message = "Processing a datagram from {Source} failed")]
        public static partial void ProcessingFailed(ILogger logger, IPEndPoint source, Exception exception);
    }
}
