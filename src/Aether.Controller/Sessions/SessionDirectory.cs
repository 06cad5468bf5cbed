using System.Collections.Concurrent;
using Aether.Contracts.Agent.V1;

namespace Aether.Controller.Sessions;

/// <summary>What this controller knows about live sessions: where each one is and who it belongs to.</summary>
internal sealed class SessionDirectory
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);

    // Sessions per BNG, kept with every change: counted on each report, where a scan of every session would cost
    // O(sessions) per report. Changes take the lock so a count never misses a replaced or removed session.
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Lock _changing = new();

    public IReadOnlyCollection<LiveSession> All => [.. _sessions.Values];

    public LiveSession? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    public void Upsert(LiveSession session)
    {
        lock (_changing)
        {
            if (_sessions.TryGetValue(session.SessionId, out var replaced))
            {
                Count(replaced.BngId, -1);
            }

            _sessions[session.SessionId] = session;
            Count(session.BngId, +1);
        }
    }

    public LiveSession? Remove(string sessionId)
    {
        lock (_changing)
        {
            if (!_sessions.TryRemove(sessionId, out var session))
            {
                return null;
            }

            Count(session.BngId, -1);
            return session;
        }
    }

    public int CountFor(string bngId)
    {
        lock (_changing)
        {
            return _counts.GetValueOrDefault(bngId);
        }
    }

    private void Count(string bngId, int change)
    {
        var count = _counts.GetValueOrDefault(bngId) + change;
        if (count == 0)
        {
            _counts.Remove(bngId);
        }
        else
        {
            _counts[bngId] = count;
        }
    }
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

    /// <summary>The totals of the last SESSION_UPDATE published for the session; null before the first.</summary>
    public Counters? PublishedCounters { get; set; }
}
