namespace Aether.Agent.Dhcp;

internal sealed partial class RelayService
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Relaying DHCP to {Server} with relay-id {RelayId} on {Interfaces} subscriber interfaces")]
    private partial void LogRelaying(string server, string relayId, int interfaces);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Dropped malformed DHCP on {Interface}: {Error}")]
    private partial void LogMalformed(string @interface, string error);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Debug, Message = "Dropped DHCP from mac={Mac} on {Interface}: {Reason} (giaddr {Giaddr}, hops {Hops})")]
    private partial void LogPolicyDrop(string @interface, string mac, string reason, string giaddr, byte hops);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Dropped {Type} from mac={Mac} circuit-id={CircuitId} remote-id={RemoteId}: not authorized")]
    private partial void LogDroppedRejected(string type, string mac, string circuitId, string remoteId);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "No authorization for mac={Mac} circuit-id={CircuitId}: {Reason}; request dropped, the client will retry")]
    private partial void LogAuthorizationUnavailable(string mac, string circuitId, string reason);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Could not relay a request from {Interface}: {Error}")]
    private partial void LogRewriteFailed(string @interface, string error);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Error, Message = "Failed to handle a frame from {Interface}")]
    private partial void LogFrameFailed(string @interface, Exception exception);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Error, Message = "Failed to handle a reply from the DHCP server")]
    private partial void LogReplyFailed(Exception exception);

    [LoggerMessage(EventId = 1508, Level = LogLevel.Warning, Message = "DHCP server socket error: {Error}")]
    private partial void LogServerSocketError(string error);

    [LoggerMessage(EventId = 1509, Level = LogLevel.Error, Message = "Could not end the session on {Type} from mac={Mac} ip={Ip} circuit-id={CircuitId}")]
    private partial void LogEndFailed(string type, string mac, string ip, string circuitId, Exception exception);
}
