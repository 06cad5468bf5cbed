namespace Aether.GraphQL;

/// <summary>
/// Commands for live sessions, carried out by the BNG agent that holds the session (wherever it is connected).
/// The host that owns the agent streams implements it; without one, the session mutations answer UNAVAILABLE.
/// </summary>
public interface ISessionControl
{
    /// <summary>Ends the session (RFC 5176 Disconnect semantics, RFC 2866 terminate <paramref name="cause"/>).</summary>
    /// <exception cref="SessionControlException">The session is not active, or its agent cannot be reached.</exception>
    Task<SessionCommandResult> DisconnectAsync(string sessionId, string? cause, CancellationToken cancellationToken);

    /// <summary>Reshapes the session to new rates (kbit/s), as a CoA-Request would.</summary>
    /// <exception cref="SessionControlException">The session is not active, or its agent cannot be reached.</exception>
    Task<SessionCommandResult> ChangeRateAsync(string sessionId, long downloadKbps, long uploadKbps, CancellationToken cancellationToken);
}

/// <summary>Where a session command went.</summary>
public sealed record SessionCommandResult(string SessionId, string BngId);

/// <summary>Why a session command could not be carried out.</summary>
public enum SessionControlError
{
    /// <summary>No active session has this id.</summary>
    SessionNotFound,

    /// <summary>The agent holding the session is not connected to any controller.</summary>
    AgentUnavailable,
}

public sealed class SessionControlException : Exception
{
    public SessionControlException(SessionControlError error, string sessionId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        SessionId = sessionId;
    }

    public SessionControlError Error { get; }

    public string SessionId { get; }
}
