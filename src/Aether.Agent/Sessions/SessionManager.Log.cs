namespace Aether.Agent.Sessions;

internal sealed partial class SessionManager
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Authorized mac={Mac} circuit-id={CircuitId} remote-id={RemoteId}: down {DownKbps} kbit/s, up {UpKbps} kbit/s")]
    private partial void LogAccepted(string mac, string circuitId, string remoteId, ulong downKbps, ulong upKbps);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Rejected mac={Mac} circuit-id={CircuitId} remote-id={RemoteId}: {Reason}")]
    private partial void LogRejected(string mac, string circuitId, string remoteId, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Session {SessionId} started: mac={Mac} ip={Ip} circuit-id={CircuitId} remote-id={RemoteId} down {DownKbps} kbit/s up {UpKbps} kbit/s provisional={Provisional}")]
    private partial void LogSessionStarted(string sessionId, string mac, string ip, string circuitId, string remoteId, ulong downKbps, ulong upKbps, bool provisional);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Session {SessionId} stopped: mac={Mac} ip={Ip} circuit-id={CircuitId} cause={Cause} ({Detail}), bytes up {BytesUp} down {BytesDown}")]
    private partial void LogSessionStopped(string sessionId, string mac, string ip, string circuitId, string cause, string detail, ulong bytesUp, ulong bytesDown);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "Session {SessionId} renewed: mac={Mac} ip={Ip} circuit-id={CircuitId} for {LeaseSeconds} s")]
    private partial void LogRenewed(string sessionId, string mac, string ip, string circuitId, uint leaseSeconds);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "DHCPACK for mac={Mac} circuit-id={CircuitId} ip={Ip} without an authorization; not forwarded")]
    private partial void LogAckWithoutAuthorization(string mac, string circuitId, string ip);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Error, Message = "Could not program the kernel for mac={Mac} ip={Ip} circuit-id={CircuitId}: {Error}")]
    private partial void LogInstallFailed(string mac, string ip, string circuitId, string error);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "{Command} for unknown session {SessionId} (ip={Ip})")]
    private partial void LogUnknownSession(string command, string sessionId, string ip);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, Message = "Controller unavailable for mac={Mac} circuit-id={CircuitId} remote-id={RemoteId} ({Reason}): fail-open with the default plan")]
    private partial void LogFailOpen(string mac, string circuitId, string remoteId, string reason);

    [LoggerMessage(EventId = 1409, Level = LogLevel.Information, Message = "Session {SessionId} re-shaped in place: mac={Mac} ip={Ip} down {DownKbps} kbit/s up {UpKbps} kbit/s")]
    private partial void LogPolicyChanged(string sessionId, string mac, string ip, ulong downKbps, ulong upKbps);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Error, Message = "Could not change the policy of session {SessionId} mac={Mac} ip={Ip}: {Error}")]
    private partial void LogPolicyFailed(string sessionId, string mac, string ip, string error);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Warning, Message = "Session {SessionId} mac={Mac} ip={Ip} circuit-id={CircuitId} could not be recovered ({Reason}): reported stopped, NAS-Reboot")]
    private partial void LogSessionLost(string sessionId, string mac, string ip, string circuitId, string reason);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Information, Message = "Recovered {Recovered} sessions from the kernel and the state file ({Lost} lost, {Orphans} orphaned kernel entries removed, {Reinstalled} re-shaped)")]
    private partial void LogRecovered(int recovered, int lost, int orphans, int reinstalled);

    [LoggerMessage(EventId = 1414, Level = LogLevel.Warning, Message = "Did not adopt the lease of mac={Mac} ip={Ip} on {Interface}: {Reason}")]
    private partial void LogAdoptRefused(string mac, string ip, string @interface, string reason);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Error, Message = "{Command} for session {SessionId} failed")]
    private partial void LogCommandFailed(string command, string sessionId, Exception exception);

    [LoggerMessage(EventId = 1415, Level = LogLevel.Information, Message = "Class pool: creating {Needed} classes per direction so that {Target} are ready on {Shards} shards ({Parked} parked already)")]
    private partial void LogPoolFilling(int target, int needed, int parked, int shards);

    [LoggerMessage(EventId = 1416, Level = LogLevel.Information, Message = "Class pool: {Created} of {Needed} classes created in {Seconds} s")]
    private partial void LogPoolProgress(int created, int needed, double seconds);

    [LoggerMessage(EventId = 1417, Level = LogLevel.Information, Message = "Class pool ready: {Created} classes per direction created in {Seconds} s, {Parked} parked on {Shards} shards (target {Target})")]
    private partial void LogPoolReady(int target, int created, double seconds, int parked, int shards);

    [LoggerMessage(EventId = 1418, Level = LogLevel.Warning, Message = "Class pool stopped after {Created} of {Needed} classes: {Error}; new sessions beyond it create their classes")]
    private partial void LogPoolStopped(int created, int needed, string error);
}
