using System.Collections.Concurrent;
using Aether.Contracts.Agent.V1;

namespace Aether.Controller.Sessions;

/// <summary>What this controller knows about live sessions: where each one is and who it belongs to.</summary>
internal sealed class SessionDirectory
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);

    public IReadOnlyCollection<LiveSession> All => [.. _sessions.Values];

    public LiveSession? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    public void Upsert(LiveSession session) => _sessions[session.SessionId] = session;

    public LiveSession? Remove(string sessionId) => _sessions.TryRemove(sessionId, out var s) ? s : null;

    public int CountFor(string bngId) => _sessions.Values.Count(s => s.BngId == bngId);
}

internal sealed class LiveSession
{
    public required string SessionId { get; init; }

    public required string BngId { get; init; }

    /// <summary>The agent instance that reported the session.</summary>
    public string InstanceId { get; init; } = "";

    public required string UserName { get; init; }

    public required SessionState State { get; init; }

    public ShapingPolicy Policy { get; set; } = new();

    public Counters Counters { get; set; } = new();

    public DateTimeOffset Started { get; init; }

    public DateTimeOffset LastInterim { get; set; }
}
