using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Control;

/// <summary>What the session table needs from the stream to the controller.</summary>
internal interface IControllerLink
{
    bool IsConnected { get; }

    /// <summary>Reports journaled and not yet acked by the controller.</summary>
    int OutboxCount { get; }

    /// <summary>Asks the controller whether this subscriber may have a lease, and with which policy.</summary>
    /// <exception cref="ControllerUnavailableException">Not connected, or no answer in time.</exception>
    Task<AuthorizeResult> AuthorizeAsync(SubscriberIdentity subscriber, uint xid, CancellationToken cancellationToken);

    /// <summary>Journals a report that must reach the controller (kept until acked, replayed after reconnect or restart).</summary>
    void Report(Action<AgentMessage> fill);

    /// <summary>Sends a message that is not worth keeping if the controller is away (counters, health).</summary>
    void Send(Action<AgentMessage> fill);

    /// <summary>Reserves a sequence number for an event carried inside one message (counter reports).</summary>
    ulong ReserveSeq();
}

internal sealed class ControllerUnavailableException(string message) : Exception(message);

/// <summary>Commands the controller sends down the stream.</summary>
internal interface IControllerCommandHandler
{
    IReadOnlyList<SessionState> SnapshotSessions();

    void OnPolicyApply(PolicyApply command);

    void OnPolicyRemove(PolicyRemove command);

    /// <summary>The controller's reconciler found a lease relayed by this BNG that no session covers.</summary>
    void OnSessionAdopt(SessionAdopt command);
}
