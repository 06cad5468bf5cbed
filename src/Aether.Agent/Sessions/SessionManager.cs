using System.Collections.Concurrent;
using Aether.Agent.Control;
using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Sessions;

/// <summary>
/// The agent's session table: authorization decisions from the controller, sessions created on DHCPACK
/// (kernel programmed before the client sees the ACK), and their end (RELEASE, DECLINE, lease expiry,
/// Disconnect from the controller).
/// </summary>
internal sealed partial class SessionManager : IControllerCommandHandler
{
    private static readonly TimeSpan RejectCacheTime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<SubscriberKey, AuthorizationDecision> _decisions = new();
    private readonly ConcurrentDictionary<SubscriberKey, Task<AuthorizationDecision>> _pending = new();
    private readonly ConcurrentDictionary<string, Session> _byMac = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Session> _byId = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _mutation = new(1, 1);
    private readonly ControllerLink _controller;
    private readonly SessionKernel _kernel;
    private readonly ClassIdAllocator _classIds = new();
    private readonly TimeProvider _time;
    private readonly ILogger<SessionManager> _logger;
    private readonly AgentOptions _options;

    public SessionManager(IOptions<AgentOptions> options, ControllerLink controller, SessionKernel kernel, TimeProvider time, ILogger<SessionManager> logger)
    {
        _options = options.Value;
        _controller = controller;
        _kernel = kernel;
        _time = time;
        _logger = logger;
    }

    public int Count => _byId.Count;

    public IReadOnlyList<SessionState> SnapshotSessions() => [.. _byId.Values.Select(s => s.ToState())];

    public IEnumerable<Session> Sessions => _byId.Values;

    /// <summary>Returns the controller's decision for this subscriber, asking it only when none is cached.</summary>
    public Task<AuthorizationDecision> AuthorizeAsync(SubscriberKey key, SubscriberIdentity identity, uint xid, CancellationToken cancellationToken)
    {
        if (_decisions.TryGetValue(key, out var cached) && cached.Expires > _time.GetUtcNow())
        {
            return Task.FromResult(cached);
        }
        return _pending.GetOrAdd(key, k => AskControllerAsync(k, identity, xid, cancellationToken));
    }

    private async Task<AuthorizationDecision> AskControllerAsync(SubscriberKey key, SubscriberIdentity identity, uint xid, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _controller.AuthorizeAsync(identity, xid, cancellationToken);
            var ttl = result.Accepted
                ? TimeSpan.FromSeconds(Math.Max(result.CacheSeconds, 1))
                : RejectCacheTime;
            var decision = new AuthorizationDecision(result.Accepted, result.Policy, result.Reason, _time.GetUtcNow() + ttl);
            _decisions[key] = decision;
            if (result.Accepted)
            {
                LogAccepted(key.Mac, key.CircuitId, key.RemoteId, result.Policy?.DownloadKbps ?? 0, result.Policy?.UploadKbps ?? 0);
            }
            else
            {
                LogRejected(key.Mac, key.CircuitId, key.RemoteId, result.Reason);
            }
            return decision;
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>The DHCP server acknowledged a lease: program the kernel and report the session.</summary>
    public async Task<bool> OnAckAsync(string interfaceName, SubscriberKey key, SubscriberIdentity identity, Ipv4Address ip, uint leaseSeconds, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _mutation.WaitAsync(cancellationToken);
        try
        {
            if (_byMac.TryGetValue(key.Mac, out var existing))
            {
                if (existing.Ip == ip)
                {
                    existing.LeaseExpires = now.AddSeconds(leaseSeconds);
                    LogRenewed(existing.SessionId, key.Mac, ip.ToString(), leaseSeconds);
                    return true;
                }
                await StopLockedAsync(existing, "NAS-Request", "address changed", cancellationToken);
            }

            if (!_decisions.TryGetValue(key, out var decision) || !decision.Accepted || decision.Policy is null)
            {
                LogAckWithoutAuthorization(key.Mac, key.CircuitId, ip.ToString());
                return false;
            }

            var session = new Session
            {
                SessionId = Guid.NewGuid().ToString("N"),
                Mac = key.Mac,
                Ip = ip,
                Subscriber = identity,
                Interface = interfaceName,
                ClassId = _classIds.Allocate(),
                Policy = decision.Policy,
                Started = now,
                LeaseExpires = now.AddSeconds(leaseSeconds),
            };
            var result = await _kernel.ApplyAsync(new InstallSession(ip, interfaceName, session.ClassId, session.Policy), cancellationToken);
            if (!result.Succeeded)
            {
                _classIds.Release(session.ClassId);
                LogInstallFailed(key.Mac, ip.ToString(), result.Error ?? "unknown");
                return false;
            }
            _byMac[key.Mac] = session;
            _byId[session.SessionId] = session;
            LogSessionStarted(session.SessionId, key.Mac, ip.ToString(), key.CircuitId, key.RemoteId, session.Policy.DownloadKbps, session.Policy.UploadKbps);

            var state = session.ToState();
            _controller.Report(m => m.SessionStarted = new SessionStarted { Session = state, LeaseSeconds = leaseSeconds });
            _controller.Report(m => m.PolicyApplied = new PolicyApplied
            {
                SessionId = session.SessionId,
                Ip = ip.ToString(),
                Policy = session.Policy,
                DownloadClass = $"1:{session.ClassId:x}",
                UploadClass = $"ingress police 800::{session.ClassId:x}",
            });
            return true;
        }
        finally
        {
            _mutation.Release();
        }
    }

    /// <summary>The client gave its address back (RELEASE) or refused it (DECLINE).</summary>
    public async Task OnClientEndAsync(string mac, Ipv4Address ip, string cause, string detail, CancellationToken cancellationToken)
    {
        await _mutation.WaitAsync(cancellationToken);
        try
        {
            if (_byMac.TryGetValue(mac, out var session) && (ip.IsAny || session.Ip == ip))
            {
                await StopLockedAsync(session, cause, detail, cancellationToken);
            }
        }
        finally
        {
            _mutation.Release();
        }
    }

    /// <summary>Ends sessions whose lease ran out without a renewal.</summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var session in _byId.Values.Where(s => s.LeaseExpires < now).ToList())
        {
            await _mutation.WaitAsync(cancellationToken);
            try
            {
                if (_byId.ContainsKey(session.SessionId))
                {
                    await StopLockedAsync(session, "Session-Timeout", "lease expired", cancellationToken);
                }
            }
            finally
            {
                _mutation.Release();
            }
        }
    }

    private async Task StopLockedAsync(Session session, string cause, string detail, CancellationToken cancellationToken)
    {
        var result = await _kernel.ApplyAsync(new RemoveSession(session.Ip, session.Interface, session.ClassId), cancellationToken);
        _byId.TryRemove(session.SessionId, out _);
        _byMac.TryRemove(session.Mac, out _);
        _classIds.Release(session.ClassId);
        var counters = result.FinalCounters ?? new Counters();
        LogSessionStopped(session.SessionId, session.Mac, session.Ip.ToString(), cause, detail, counters.BytesUp, counters.BytesDown);
        _controller.Report(m => m.SessionStopped = new SessionStopped
        {
            SessionId = session.SessionId,
            Ip = session.Ip.ToString(),
            Cause = cause,
            FinalCounters = counters,
        });
    }

    public void OnPolicyApply(PolicyApply command)
    {
        _ = Task.Run(async () =>
        {
            if (!_byId.TryGetValue(command.SessionId, out var session))
            {
                LogUnknownSession("PolicyApply", command.SessionId);
                return;
            }
            var result = await _kernel.ApplyAsync(new ChangeRate(session.Ip, session.Interface, session.ClassId, command.Policy), CancellationToken.None);
            if (result.Succeeded)
            {
                session.Policy = command.Policy;
                _controller.Report(m => m.PolicyApplied = new PolicyApplied
                {
                    SessionId = session.SessionId,
                    Ip = session.Ip.ToString(),
                    Policy = command.Policy,
                    DownloadClass = $"1:{session.ClassId:x}",
                    UploadClass = $"ingress police 800::{session.ClassId:x}",
                });
            }
        });
    }

    public void OnPolicyRemove(PolicyRemove command)
    {
        _ = Task.Run(async () =>
        {
            await _mutation.WaitAsync();
            try
            {
                if (_byId.TryGetValue(command.SessionId, out var session))
                {
                    // A session ended by the operator must not come straight back on the next DISCOVER.
                    _decisions.TryRemove(new SubscriberKey(session.Mac, session.Subscriber.CircuitId, session.Subscriber.RemoteId), out _);
                    await StopLockedAsync(session, string.IsNullOrEmpty(command.Cause) ? "Admin-Reset" : command.Cause, "controller request", CancellationToken.None);
                }
                else
                {
                    LogUnknownSession("PolicyRemove", command.SessionId);
                }
            }
            finally
            {
                _mutation.Release();
            }
        });
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Authorized mac={Mac} circuit-id={CircuitId} remote-id={RemoteId}: down {DownKbps} kbit/s, up {UpKbps} kbit/s")]
    private partial void LogAccepted(string mac, string circuitId, string remoteId, ulong downKbps, ulong upKbps);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Rejected mac={Mac} circuit-id={CircuitId} remote-id={RemoteId}: {Reason}")]
    private partial void LogRejected(string mac, string circuitId, string remoteId, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Session {SessionId} started: mac={Mac} ip={Ip} circuit-id={CircuitId} remote-id={RemoteId} down {DownKbps} kbit/s up {UpKbps} kbit/s")]
    private partial void LogSessionStarted(string sessionId, string mac, string ip, string circuitId, string remoteId, ulong downKbps, ulong upKbps);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Session {SessionId} stopped: mac={Mac} ip={Ip} cause={Cause} ({Detail}), bytes up {BytesUp} down {BytesDown}")]
    private partial void LogSessionStopped(string sessionId, string mac, string ip, string cause, string detail, ulong bytesUp, ulong bytesDown);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "Session {SessionId} renewed: mac={Mac} ip={Ip} for {LeaseSeconds} s")]
    private partial void LogRenewed(string sessionId, string mac, string ip, uint leaseSeconds);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "DHCPACK for mac={Mac} circuit-id={CircuitId} ip={Ip} without an authorization; not forwarded")]
    private partial void LogAckWithoutAuthorization(string mac, string circuitId, string ip);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Error, Message = "Could not program the kernel for mac={Mac} ip={Ip}: {Error}")]
    private partial void LogInstallFailed(string mac, string ip, string error);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "{Command} for unknown session {SessionId}")]
    private partial void LogUnknownSession(string command, string sessionId);
}
