using System.Collections.Concurrent;

namespace Aether.GraphQL.Tests.Support;

/// <summary>Records session commands; sessions in <see cref="Unreachable"/> fail as if their agent were gone.</summary>
public sealed class FakeSessionControl : ISessionControl
{
    public ConcurrentQueue<(string SessionId, string? Cause)> Disconnects { get; } = new();

    public ConcurrentQueue<(string SessionId, long DownloadKbps, long UploadKbps)> RateChanges { get; } = new();

    public ConcurrentDictionary<string, string> Known { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Unreachable { get; } = new(StringComparer.Ordinal);

    public Task<SessionCommandResult> DisconnectAsync(string sessionId, string? cause, CancellationToken cancellationToken)
    {
        var bng = Check(sessionId);
        Disconnects.Enqueue((sessionId, cause));
        return Task.FromResult(new SessionCommandResult(sessionId, bng));
    }

    public Task<SessionCommandResult> ChangeRateAsync(string sessionId, long downloadKbps, long uploadKbps, CancellationToken cancellationToken)
    {
        var bng = Check(sessionId);
        RateChanges.Enqueue((sessionId, downloadKbps, uploadKbps));
        return Task.FromResult(new SessionCommandResult(sessionId, bng));
    }

    private string Check(string sessionId)
    {
        if (!Known.TryGetValue(sessionId, out var bng))
        {
            throw new SessionControlException(SessionControlError.SessionNotFound, sessionId, "no such session");
        }

        if (Unreachable.ContainsKey(sessionId))
        {
            throw new SessionControlException(SessionControlError.AgentUnavailable, sessionId, "agent gone");
        }

        return bng;
    }
}
