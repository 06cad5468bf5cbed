using System.Collections.Concurrent;
using System.Diagnostics;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Aaa;
using Aether.Controller.Agents;
using Aether.Events;
using Aether.Observability;
using Aether.Storage;

namespace Aether.Controller.Sessions;

/// <summary>
/// Turns what agents report into lifecycle events on JetStream (identified by the agent's bng_id,
/// instance_id and seq, so a report resent after a reconnect is deduplicated) and into RADIUS accounting.
/// </summary>
internal sealed partial class SessionReports : IReportHandler
{
    private readonly IEventPublisher _events;
    private readonly SessionDirectory _directory;
    private readonly Authorizer _authorizer;
    private readonly AccountingQueue _accounting;
    private readonly SessionReadModel _readModel;
    private readonly Tombstones _tombstones;
    private readonly AgentReportLog _reportLog;
    private readonly AccessRouters _routers;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionReports> _logger;

    // Highest seq of a journaled report handled per (bng_id, instance_id): its events are in JetStream.
    private readonly ConcurrentDictionary<(string BngId, string InstanceId), ulong> _handled = new();

    /// <summary>The event types of the reports an agent journals until acked, whose seq is the report's own.</summary>
    internal static readonly IReadOnlyList<string> JournaledReportTypes = [EventTypes.SessionStart, EventTypes.SessionStop, EventTypes.PolicyApply];

    private static readonly TimeSpan LastSeqLookupTimeout = TimeSpan.FromSeconds(3);

    public SessionReports(IEventPublisher events, SessionDirectory directory, Authorizer authorizer, AccountingQueue accounting,
        SessionReadModel readModel, Tombstones tombstones, AgentReportLog reportLog, AccessRouters routers, TimeProvider time, ILogger<SessionReports> logger)
    {
        _tombstones = tombstones;
        _events = events;
        _directory = directory;
        _authorizer = authorizer;
        _accounting = accounting;
        _readModel = readModel;
        _reportLog = reportLog;
        _routers = routers;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// HelloAccepted.last_acked_seq: the highest seq of a journaled report of this instance whose events are durable,
    /// as this controller handled them or as the event log holds them (another controller, or before a restart).
    /// Reports are sent and handled in seq order, so the agent may drop every journaled report up to it.
    /// Without the event log only what this controller handled counts: a lower answer only costs duplicates.
    /// </summary>
    public async ValueTask<ulong> LastHandledSeqAsync(string bngId, string instanceId, CancellationToken ct)
    {
        var handled = _handled.GetValueOrDefault((bngId, instanceId));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(LastSeqLookupTimeout);
        try
        {
            handled = Math.Max(handled, await _reportLog.LastSeqAsync(bngId, instanceId, JournaledReportTypes, timeout.Token));
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            LogLastSeqUnknown(bngId, instanceId, ex.Message);
        }
        return handled;
    }

    private void Handled(AgentConnection connection, ulong seq) =>
        _handled.AddOrUpdate((connection.BngId, connection.InstanceId), seq, (_, current) => Math.Max(current, seq));

    /// <summary>A subscriber asked for authorization: the access router it came through may be new.</summary>
    public ValueTask OnAuthorizeAsync(AgentConnection connection, AgentMessage message, CancellationToken ct) =>
        _routers.ObserveAsync(connection, message.Authorize.Subscriber, message.Seq, message.Time?.ToDateTimeOffset() ?? _time.GetUtcNow(), ct);

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
        var stale = new List<(string SessionId, string Ip, ActiveSession? Row)>();
        // A set beside the list: a BNG that lost 50,000 sessions would otherwise be a quadratic search here.
        var staleIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var live in _directory.All.Where(s => s.BngId == connection.BngId && !held.Contains(s.SessionId) && s.InstanceId != connection.InstanceId))
        {
            stale.Add((live.SessionId, live.State.Ip, null));
            staleIds.Add(live.SessionId);
        }
        string? after = null;
        do
        {
            var page = await _readModel.ListActiveAsync(new SessionFilter(BngId: connection.BngId), 500, after, ct);
            foreach (var row in page.Items)
            {
                if (!held.Contains(row.SessionId) && row.InstanceId != connection.InstanceId && staleIds.Add(row.SessionId))
                {
                    stale.Add((row.SessionId, row.Ip, row));
                }
            }
            after = page.HasNextPage ? page.EndCursor : null;
        }
        while (after is not null);

        // Sent one after another without waiting for each to be stored, then finished in the same order.
        var stopping = new List<(string SessionId, string Ip, LiveSession? Live, Task Stored)>(stale.Count);
        foreach (var (sessionId, ip, row) in stale)
        {
            // Known only from the read model (this controller restarted since): its accounting still gets its Stop.
            var live = _directory.Remove(sessionId) ?? (row is null ? null : FromReadModel(row));
            var stored = await _events.SendAsync(new AetherEvent
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
            stopping.Add((sessionId, ip, live, stored));
        }
        foreach (var (sessionId, ip, live, stored) in stopping)
        {
            await stored;
            if (live is not null)
            {
                _accounting.Stop(live, "NAS-Reboot");
            }
            LogStaleSession(sessionId, connection.BngId, ip);
        }
        connection.SessionCount = _directory.CountFor(connection.BngId);
    }

    /// <summary>A session as sessions_active holds it, for the Accounting-Stop of one no process remembers.</summary>
    private static LiveSession FromReadModel(ActiveSession row) => new()
    {
        SessionId = row.SessionId,
        BngId = row.BngId,
        InstanceId = row.InstanceId,
        UserName = row.Username ?? "",
        State = new SessionState
        {
            SessionId = row.SessionId,
            Ip = row.Ip,
            Subscriber = new SubscriberIdentity { Mac = row.Mac, CircuitId = row.CircuitId, RemoteId = row.RemoteId, RelayId = row.RelayId ?? "" },
        },
        Counters = new Counters { BytesUp = (ulong)row.BytesUp, BytesDown = (ulong)row.BytesDown, PacketsUp = (ulong)row.PacketsUp, PacketsDown = (ulong)row.PacketsDown },
        Started = row.Started,
    };

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

    /// <summary>
    /// The first half of a report, in the order the agent sent it: the directory updated and the report's events
    /// sent to JetStream, each after the events of every earlier report, without waiting for them to be stored.
    /// The returned report is finished by <see cref="CompleteReportAsync"/> once they are.
    /// </summary>
    public async ValueTask<ReportInFlight> SendReportAsync(AgentConnection connection, AgentMessage message, CancellationToken ct)
    {
        var span = string.IsNullOrEmpty(message.Traceparent) ? null : AetherTracing.StartActivity("controller.report " + message.BodyCase, ActivityKind.Server, message.Traceparent);
        span?.SetTag(AetherMetrics.BngLabel, connection.BngId);
        try
        {
            var time = message.Time?.ToDateTimeOffset() ?? _time.GetUtcNow();
            switch (message.BodyCase)
            {
                case AgentMessage.BodyOneofCase.SessionStarted:
                {
                    var state = message.SessionStarted.Session;
                    var live = ToLive(connection.BngId, state, connection.InstanceId);
                    // SESSION_START puts the session in the read model with no traffic: the first sweep that finds
                    // none has nothing to add.
                    live.PublishedCounters = state.Counters is { BytesUp: 0, BytesDown: 0, PacketsUp: 0, PacketsDown: 0 } or null ? new Counters() : null;
                    _directory.Upsert(live);
                    if (message.SessionStarted.Provisional)
                    {
                        _ = ConfirmProvisionalAsync(connection, live, ct);
                    }
                    connection.SessionCount = _directory.CountFor(connection.BngId);
                    var stored = await _events.SendAsync(NewEvent(EventTypes.SessionStart, connection, message.Seq, time) with
                    {
                        SessionId = state.SessionId,
                        Session = ToInfo(live),
                        SetupSeconds = message.SessionStarted.SetupSeconds > 0 ? message.SessionStarted.SetupSeconds : null,
                    }, ct);
                    return new ReportInFlight(message, stored, live, span);
                }
                case AgentMessage.BodyOneofCase.PolicyApplied:
                {
                    var applied = message.PolicyApplied;
                    var live = _directory.Find(applied.SessionId);
                    if (live is not null)
                    {
                        live.Policy = applied.Policy;
                    }
                    var stored = await _events.SendAsync(NewEvent(EventTypes.PolicyApply, connection, message.Seq, time) with
                    {
                        SessionId = applied.SessionId,
                        Session = live is null ? null : ToInfo(live),
                    }, ct);
                    return new ReportInFlight(message, stored, live, span);
                }
                case AgentMessage.BodyOneofCase.SessionStopped:
                {
                    var stopped = message.SessionStopped;
                    var live = _directory.Remove(stopped.SessionId);
                    connection.SessionCount = _directory.CountFor(connection.BngId);
                    var stored = await _events.SendAsync(NewEvent(EventTypes.SessionStop, connection, message.Seq, time) with
                    {
                        SessionId = stopped.SessionId,
                        Counters = ToCounters(stopped.FinalCounters),
                        Cause = stopped.Cause,
                        Detail = string.IsNullOrEmpty(stopped.Detail) ? null : stopped.Detail,
                    }, ct);
                    return new ReportInFlight(message, stored, live, span);
                }
                case AgentMessage.BodyOneofCase.Health:
                {
                    var stored = await _events.SendAsync(NewEvent(EventTypes.BngHealthUpdate, connection, message.Seq, time) with
                    {
                        Health = ToHealth(message.Health),
                    }, ct);
                    return new ReportInFlight(message, stored, null, span);
                }
                case AgentMessage.BodyOneofCase.Counters:
                    return new ReportInFlight(message, await SendCountersAsync(connection, message, time, ct), null, span);
                default:
                    throw new ArgumentException($"{message.BodyCase} is not a report", nameof(message));
            }
        }
        catch
        {
            span?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Counter totals from the agent's sweep: interim accounting when due, and SESSION_UPDATE for each session whose
    /// counters moved since its last one, or whose interim accounting went out (the periodic update of an idle
    /// session). A sweep of idle sessions publishes nothing in between: at 10 s sweeps, 50,000 idle sessions would
    /// otherwise be 5,000 events a second that say nothing new.
    /// </summary>
    private async ValueTask<Task> SendCountersAsync(AgentConnection connection, AgentMessage message, DateTimeOffset time, CancellationToken ct)
    {
        var sessions = message.Counters.Sessions;
        List<Task>? stored = null;
        foreach (var item in sessions)
        {
            var live = _directory.Find(item.SessionId);
            if (live is not null)
            {
                live.Counters = item.Total;
                var interim = _accounting.InterimIfDue(live);
                if (!interim && live.PublishedCounters is { } published && published.Equals(item.Total))
                {
                    AetherMetrics.UpdatesUnchanged.Add(1);
                    continue;
                }
                live.PublishedCounters = item.Total;
            }
            (stored ??= new List<Task>(sessions.Count)).Add(await _events.SendAsync(NewEvent(EventTypes.SessionUpdate, connection, item.Seq, time) with
            {
                SessionId = item.SessionId,
                Counters = ToCounters(item.Total),
            }, ct));
        }
        return stored switch
        {
            null => Task.CompletedTask,
            [var one] => one,
            _ => Task.WhenAll(stored),
        };
    }

    /// <summary>
    /// The second half of a report, in the same order, once its events are stored: what must follow them
    /// (last handled seq, accounting, tombstones, ROUTER_UPDATE). The caller acks the report after this.
    /// </summary>
    public async ValueTask CompleteReportAsync(AgentConnection connection, ReportInFlight report, CancellationToken ct)
    {
        // The report's span again, for the Accounting-Request and ROUTER_UPDATE it leads to.
        Activity.Current = report.Span;
        using var span = report.Span;
        var message = report.Message;
        switch (message.BodyCase)
        {
            case AgentMessage.BodyOneofCase.SessionStarted:
            {
                var state = message.SessionStarted.Session;
                Handled(connection, message.Seq);
                LogSessionStart(state.SessionId, connection.BngId, state.Subscriber.Mac, state.Ip, state.Subscriber.CircuitId);
                _accounting.Start(report.Live!);
                await _routers.ObserveAsync(connection, state.Subscriber, message.Seq, message.Time?.ToDateTimeOffset() ?? _time.GetUtcNow(), ct);
                break;
            }
            case AgentMessage.BodyOneofCase.PolicyApplied:
                Handled(connection, message.Seq);
                break;
            case AgentMessage.BodyOneofCase.SessionStopped:
            {
                var stopped = message.SessionStopped;
                Handled(connection, message.Seq);
                LogSessionStop(stopped.SessionId, connection.BngId, stopped.Ip, stopped.Cause, stopped.Detail);
                if (report.Live is { } live)
                {
                    // Kea may still hold the lease (idle timeout, Disconnect): the reconciler must not revive it.
                    _tombstones.Add(connection.BngId, live.State.Subscriber.Mac, live.State.Ip, live.State.LeaseExpires?.ToDateTimeOffset());
                    live.Counters = stopped.FinalCounters ?? new Counters();
                    _accounting.Stop(live, stopped.Cause);
                }
                break;
            }
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

    internal static BngHealth ToHealth(HealthReport h) => new(h.CpuPercent, (long)h.MemoryBytes, (long)h.MemoryLimitBytes, (int)h.SessionCount)
    {
        Cgroup = string.IsNullOrEmpty(h.Cgroup) ? null : h.Cgroup,
        SystemdAvailable = h.SystemdAvailable,
        Interfaces = [.. h.Interfaces.Select(i => new BngInterfaceHealth(i.Name, i.Role, i.OperState, (int)i.Mtu, (long)i.RxBytes, (long)i.TxBytes, (long)i.RxDropped, (long)i.TxDropped))],
        Units = [.. h.Units.Select(u => new BngUnitHealth(u.Name, u.ActiveState, u.SubState))],
        Relay = h.Relay is null ? null : new BngRelayHealth((long)h.Relay.RelayedToServer, (long)h.Relay.RelayedToClient, (long)h.Relay.CaptureDropped,
            [.. h.Relay.Drops.Select(d => new BngRelayDrop(d.Interface, d.Reason, (long)d.Count))]),
        Journal = h.Journal is null ? null : new BngJournalHealth((int)h.Journal.Pending, (long)h.Journal.Dropped, (long)h.Journal.Bytes),
    };

    private static TrafficCounters ToCounters(Counters? c) =>
        c is null ? new TrafficCounters(0, 0, 0, 0) : new TrafficCounters((long)c.BytesUp, (long)c.BytesDown, (long)c.PacketsUp, (long)c.PacketsDown);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "SESSION_START {SessionId} on {BngId}: mac={Mac} ip={Ip} circuit-id={CircuitId}")]
    private partial void LogSessionStart(string sessionId, string bngId, string mac, string ip, string circuitId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Session {SessionId} on {BngId} (ip={Ip}) is no longer held by the agent after its restart: SESSION_STOP NAS-Reboot")]
    private partial void LogStaleSession(string sessionId, string bngId, string ip);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Provisional session {SessionId} on {BngId}: {Outcome}")]
    private partial void LogProvisional(string sessionId, string bngId, string outcome);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "SESSION_STOP {SessionId} on {BngId}: ip={Ip} cause={Cause} ({Detail})")]
    private partial void LogSessionStop(string sessionId, string bngId, string ip, string cause, string detail);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Agent {BngId} instance {InstanceId}: the event log could not be read for what it already handled ({Reason}); last_acked_seq is what this controller handled")]
    private partial void LogLastSeqUnknown(string bngId, string instanceId, string reason);
}

/// <summary>A report whose events are on their way to JetStream; <see cref="Stored"/> completes once they are stored.</summary>
internal sealed record ReportInFlight(AgentMessage Message, Task Stored, LiveSession? Live, Activity? Span)
{
    /// <summary>Reports the agent journals until acked (every report but counters, which are sent again each sweep).</summary>
    public bool Acked => Message.BodyCase != AgentMessage.BodyOneofCase.Counters;
}
