namespace Aether.Agent.Control;

internal sealed partial class ControllerLink
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Connected to controller {Controller} ({ControllerId}) as instance {InstanceId} with {Sessions} sessions")]
    private partial void LogConnected(string controller, string controllerId, string instanceId, int sessions);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Stream to controller {Controller} failed: {Reason}; reconnecting in {BackoffMs} ms (subscribers keep forwarding, {Journaled} reports journaled)")]
    private partial void LogStreamFailed(string controller, string reason, double backoffMs, int journaled);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Replaying {Count} journaled reports to the controller (seq {FirstSeq} to {LastSeq})")]
    private partial void LogReplaying(int count, ulong firstSeq, ulong lastSeq);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Controller {Controller} refused agent {BngId}: {Status} ({Detail}); check the token ({TokenSource}) against the controller's Controller:AgentTokens; retrying in {BackoffMs} ms")]
    private partial void LogRefused(string controller, string bngId, string status, string detail, string tokenSource, double backoffMs);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "The controller had already handled {Count} journaled reports (up to seq {LastAckedSeq}); they are not replayed")]
    private partial void LogAlreadyHandled(int count, ulong lastAckedSeq);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Unexpected message {Kind} from the controller")]
    private partial void LogUnexpectedMessage(string kind);
}
