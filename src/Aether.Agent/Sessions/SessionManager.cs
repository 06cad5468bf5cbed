using System.Collections.Concurrent;
using Aether.Agent.Control;
using Aether.Agent.Kernel;
using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Sessions;

/// <summary>
/// The agent's session table: authorization decisions from the controller (or the headless policy), sessions
/// created on DHCPACK (kernel programmed before the client sees the ACK), their counters, and their end (RELEASE,
/// DECLINE, lease expiry, idle timeout, address change, Disconnect from the controller). Every session is in the
/// state file, so a restarted agent rebuilds the table from it and the kernel.
/// </summary>
internal sealed partial class SessionManager : IControllerCommandHandler, IDisposable
{
    private static readonly TimeSpan RejectCacheTime = TimeSpan.FromSeconds(30);

    /// <summary>How long past its expiry a decision is kept for a subscriber without a session.</summary>
    private static readonly TimeSpan DecisionGrace = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<SubscriberKey, AuthorizationDecision> _decisions = new();
    private readonly ConcurrentDictionary<SubscriberKey, Task<AuthorizationDecision>> _pending = new();
    private readonly ConcurrentDictionary<string, Session> _byMac = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Session> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, Session> _byIp = new();
    private readonly StripedLock _locks = new();
    private readonly ClassIdAllocator _classIds = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly IControllerLink _controller;
    private readonly ISessionKernel _kernel;
    private readonly SessionStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionManager> _logger;
    private readonly AgentOptions _options;
    private DateTimeOffset _nextDecisionPrune;

    public SessionManager(IOptions<AgentOptions> options, IControllerLink controller, ISessionKernel kernel, SessionStore store, TimeProvider time, ILogger<SessionManager> logger)
    {
        _options = options.Value;
        _controller = controller;
        _kernel = kernel;
        _store = store;
        _time = time;
        _logger = logger;
    }

    public int Count => _byId.Count;

    public IEnumerable<Session> Sessions => _byId.Values;

    public Session? FindById(string sessionId) => _byId.GetValueOrDefault(sessionId);

    public Session? FindByMac(string mac) => _byMac.GetValueOrDefault(mac);

    public IReadOnlyList<SessionState> SnapshotSessions() => [.. _byId.Values.Select(s => s.ToState())];

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Add(Session session)
    {
        _byMac[session.Mac] = session;
        _byId[session.SessionId] = session;
        _byIp[session.Ip.Value] = session;
    }

    private void Forget(Session session)
    {
        _byId.TryRemove(session.SessionId, out _);
        _byMac.TryRemove(new KeyValuePair<string, Session>(session.Mac, session));
        _byIp.TryRemove(new KeyValuePair<uint, Session>(session.Ip.Value, session));
        _classIds.Release(session.ClassId, ShardOf(session.Interface, session.Ip));
    }

    private ShardKey ShardOf(string iface, Ipv4Address ip) => new(iface, TcScript.Shard(ip, _options.ShapingShards));

    private PolicyApplied Applied(Session session) => new()
    {
        SessionId = session.SessionId,
        Ip = session.Ip.ToString(),
        Policy = session.Policy,
        DownloadClass = $"{TcScript.DownloadDevice(session.Interface, session.Ip, _options.ShapingShards)} 1:{session.ClassId:x}",
        UploadClass = $"{TcScript.UploadDevice(session.Interface, session.Ip, _options.ShapingShards)} 1:{session.ClassId:x}",
    };

    /// <summary>Runs a controller command in the background; failures are logged, never thrown into the stream reader.</summary>
    private void RunCommand(string command, string sessionId, Func<CancellationToken, Task> work)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await work(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                LogCommandFailed(command, sessionId, ex);
            }
        });
    }
}
