using Aether.Contracts.Agent.V1;
using Aether.Controller.Aaa;
using Aether.Controller.Agents;
using Aether.Events;
using Aether.Storage;

namespace Aether.Controller.Sessions;

/// <summary>
/// Turns what agents report into lifecycle events on JetStream (identified by the agent's bng_id,
/// instance_id and seq, so a report resent after a reconnect is deduplicated) and into RADIUS accounting.
/// </summary>
internal sealed partial class SessionReports
{
    private readonly IEventPublisher _events;
    private readonly SessionDirectory _directory;
    private readonly Authorizer _authorizer;
    private readonly AccountingQueue _accounting;
    private readonly SessionReadModel _readModel;
    private readonly Tombstones _tombstones;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionReports> _logger;

    public SessionReports(IEventPublisher events, SessionDirectory directory, Authorizer authorizer, AccountingQueue accounting,
        SessionReadModel readModel, Tombstones tombstones, TimeProvider time, ILogger<SessionReports> logger)
    {
        _tombstones = tombstones;
        _events = events;
        _directory = directory;
        _authorizer = authorizer;
        _accounting = accounting;
        _readModel = readModel;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// An agent (re)connected: learn the sessions it holds, and end the ones the system still thinks it
    /// has but it no longer holds (it restarted without them). Such a stop is identified by the new
    /// instance and the session, so a second resync of the same restart is a JetStream duplicate.
    /// </summary>
    public async ValueTask OnHelloAsync(AgentConnection connection, AgentMessage hello, CancellationToken ct)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in hello.Hello.Sessions)
        {
            held.Add(state.SessionId);
            if (_directory.Find(state.SessionId) is null)
            {
                _directory.Upsert(ToLive(connection.BngId, state, connection.InstanceId));
            }
        }

        // Sessions of this same instance that it no longer holds are the agent's to report (it journals a
        // NAS-Reboot stop for anything its kernel lost); only a new instance (state lost) needs the resync.
        var stale = new List<(string SessionId, string Ip)>();
        foreach (var live in _directory.All.Where(s => s.BngId == connection.BngId && !held.Contains(s.SessionId) && s.InstanceId != connection.InstanceId))
        {
            stale.Add((live.SessionId, live.State.Ip));
        }
        string? after = null;
        do
        {
            var page = await _readModel.ListActiveAsync(new SessionFilter(BngId: connection.BngId), 500, after, ct);
            foreach (var row in page.Items)
            {
                if (!held.Contains(row.SessionId) && row.InstanceId != connection.InstanceId && !stale.Exists(s => s.SessionId == row.SessionId))
                {
                    stale.Add((row.SessionId, row.Ip));
                }
            }
            after = page.HasNextPage ? page.EndCursor : null;
        }
        while (after is not null);

        foreach (var (sessionId, ip) in stale)
        {
            var live = _directory.Remove(sessionId);
            await _events.PublishAsync(new AetherEvent
            {
                Type = EventTypes.SessionStop,
                BngId = connection.BngId,
                InstanceId = "resync-" + connection.InstanceId,
                Seq = StableSeq(sessionId),
                Time = _time.GetUtcNow(),
                SessionId = sessionId,
                Counters = ToCounters(live?.Counters),
                Cause = "NAS-Reboot",
            }, ct);
            if (live is not null)
            {
                _accounting.Stop(live, "NAS-Reboot");
            }
            LogStaleSession(sessionId, connection.BngId, ip);
        }
        connection.SessionCount = _directory.CountFor(connection.BngId);
    }

    /// <summary>FNV-1a of the session id: a stable sequence for events the controller derives.</summary>
    internal static ulong StableSeq(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash & long.MaxValue;
    }

    public async ValueTask OnReportAsync(AgentConnection connection, AgentMessage message, CancellationToken ct)
    {
        var time = message.Time?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow;
        switch (message.BodyCase)
        {
            case AgentMessage.BodyOneofCase.SessionStarted:
            {
                var state = message.SessionStarted.Session;
                var live = ToLive(connection.BngId, state, connection.InstanceId);
                _directory.Upsert(live);
                if (message.SessionStarted.Provisional)
                {
                    _ = ConfirmProvisionalAsync(connection, live, ct);
                }
                connection.SessionCount = _directory.CountFor(connection.BngId);
                await _events.PublishAsync(NewEvent(EventTypes.SessionStart, connection, message.Seq, time) with
                {
                    SessionId = state.SessionId,
                    Session = ToInfo(live),
                    SetupSeconds = message.SessionStarted.SetupSeconds > 0 ? message.SessionStarted.SetupSeconds : null,
                }, ct);
                LogSessionStart(state.SessionId, connection.BngId, state.Subscriber.Mac, state.Ip, state.Subscriber.CircuitId);
                _accounting.Start(live);
                break;
            }
            case AgentMessage.BodyOneofCase.PolicyApplied:
            {
                var applied = message.PolicyApplied;
                var live = _directory.Find(applied.SessionId);
                if (live is not null)
                {
                    live.Policy = applied.Policy;
                }
                await _events.PublishAsync(NewEvent(EventTypes.PolicyApply, connection, message.Seq, time) with
                {
                    SessionId = applied.SessionId,
                    Session = live is null ? null : ToInfo(live),
                }, ct);
                break;
            }
            case AgentMessage.BodyOneofCase.SessionStopped:
            {
                var stopped = message.SessionStopped;
                var live = _directory.Remove(stopped.SessionId);
                connection.SessionCount = _directory.CountFor(connection.BngId);
                await _events.PublishAsync(NewEvent(EventTypes.SessionStop, connection, message.Seq, time) with
                {
                    SessionId = stopped.SessionId,
                    Counters = ToCounters(stopped.FinalCounters),
                    Cause = stopped.Cause,
                }, ct);
                LogSessionStop(stopped.SessionId, connection.BngId, stopped.Ip, stopped.Cause);
                if (live is not null)
                {
                    // Kea may still hold the lease (idle timeout, Disconnect): the reconciler must not revive it.
                    _tombstones.Add(connection.BngId, live.State.Subscriber.Mac, live.State.Ip, live.State.LeaseExpires?.ToDateTimeOffset());
                    live.Counters = stopped.FinalCounters ?? new Counters();
                    _accounting.Stop(live, stopped.Cause);
                }
                break;
            }
            case AgentMessage.BodyOneofCase.Health:
            {
                var h = message.Health;
                await _events.PublishAsync(NewEvent(EventTypes.BngHealthUpdate, connection, message.Seq, time) with
                {
                    Health = new BngHealth(h.CpuPercent, (long)h.MemoryBytes, (long)h.MemoryLimitBytes, (int)h.SessionCount),
                }, ct);
                break;
            }
        }
    }

    /// <summary>Counter totals from the agent's sweep: SESSION_UPDATE per session, interim accounting.</summary>
    public async ValueTask OnCountersAsync(AgentConnection connection, AgentMessage message, CancellationToken ct)
    {
        var time = message.Time?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow;
        foreach (var item in message.Counters.Sessions)
        {
            var live = _directory.Find(item.SessionId);
            if (live is not null)
            {
                live.Counters = item.Total;
                _accounting.InterimIfDue(live);
            }
            await _events.PublishAsync(NewEvent(EventTypes.SessionUpdate, connection, item.Seq, time) with
            {
                SessionId = item.SessionId,
                Counters = ToCounters(item.Total),
            }, ct);
        }
    }

    private static AetherEvent NewEvent(string type, AgentConnection connection, ulong seq, DateTimeOffset time) => new()
    {
        Type = type,
        BngId = connection.BngId,
        InstanceId = connection.InstanceId,
        Seq = seq,
        Time = time,
    };

    /// <summary>
    /// A session the agent started on its fail-open default plan while the controller was away: authorize it
    /// now, then keep it with the real policy or end it.
    /// </summary>
    private async Task ConfirmProvisionalAsync(AgentConnection connection, LiveSession live, CancellationToken ct)
    {
        try
        {
            var result = await _authorizer.AuthorizeAsync(connection.BngId, new AuthorizeRequest { Subscriber = live.State.Subscriber }, ct);
            if (result.Accepted)
            {
                await connection.SendAsync(m => m.PolicyApply = new PolicyApply { SessionId = live.SessionId, Ip = live.State.Ip, Policy = result.Policy }, ct);
            }
            else if (result.Reason != "RADIUS unavailable")
            {
                await connection.SendAsync(m => m.PolicyRemove = new PolicyRemove { SessionId = live.SessionId, Ip = live.State.Ip, Cause = "Admin-Reset" }, ct);
            }
            LogProvisional(live.SessionId, connection.BngId, result.Accepted ? "confirmed" : result.Reason);
        }
        catch (OperationCanceledException)
        {
            // The agent went away; its next hello carries the session again.
        }
    }

    private LiveSession ToLive(string bngId, SessionState state, string instanceId) => new()
    {
        SessionId = state.SessionId,
        BngId = bngId,
        InstanceId = instanceId,
        UserName = _authorizer.UserName(bngId, state.Subscriber),
        State = state,
        Policy = state.Policy ?? new ShapingPolicy(),
        Counters = state.Counters ?? new Counters(),
        Started = state.Started?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow,
    };

    private static SessionInfo ToInfo(LiveSession live) => new()
    {
        Mac = live.State.Subscriber.Mac,
        Ip = live.State.Ip,
        CircuitId = live.State.Subscriber.CircuitId,
        RemoteId = live.State.Subscriber.RemoteId,
        RelayId = live.State.Subscriber.RelayId,
        Username = live.UserName,
        Interface = live.State.Subscriber.Interface,
        DownloadKbps = (long)live.Policy.DownloadKbps,
        UploadKbps = (long)live.Policy.UploadKbps,
        Started = live.Started,
        LeaseExpires = live.State.LeaseExpires?.ToDateTimeOffset(),
    };

    private static TrafficCounters ToCounters(Counters? c) =>
        c is null ? new TrafficCounters(0, 0, 0, 0) : new TrafficCounters((long)c.BytesUp, (long)c.BytesDown, (long)c.PacketsUp, (long)c.PacketsDown);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "SESSION_START {SessionId} on {BngId}: mac={Mac} ip={Ip} circuit-id={CircuitId}")]
    private partial void LogSessionStart(string sessionId, string bngId, string mac, string ip, string circuitId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Session {SessionId} on {BngId} (ip={Ip}) is no longer held by the agent after its restart: SESSION_STOP NAS-Reboot")]
    private partial void LogStaleSession(string sessionId, string bngId, string ip);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Provisional session {SessionId} on {BngId}: {Outcome}")]
    private partial void LogProvisional(string sessionId, string bngId, string outcome);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "SESSION_STOP {SessionId} on {BngId}: ip={Ip} cause={Cause}")]
    private partial void LogSessionStop(string sessionId, string bngId, string ip, string cause);
}
