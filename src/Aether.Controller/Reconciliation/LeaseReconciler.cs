using System.Text;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Aaa;
using Aether.Controller.Agents;
using Aether.Controller.Sessions;
using Aether.Dhcp;
using Aether.Storage;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Reconciliation;

/// <summary>
/// Compares, for every agent connected to this controller, the sessions it holds with the leases Kea's
/// control agent reports as relayed by that BNG (Option 82 relay-id): a session whose lease is gone is
/// ended (Lost-Service); an active lease without a session (missed while the agent or the controller was
/// down) is authorized again and adopted by the agent, unless its session was ended on purpose after the lease's
/// last transaction: a RELEASE Kea never got, a Disconnect or an idle timeout, which leave the lease in Kea. This
/// controller's tombstones say so for the sessions it saw end; the read model's history says so for the others
/// (ended before a restart of this controller, or on another controller).
/// </summary>
internal sealed partial class LeaseReconciler : BackgroundService
{
    private readonly KeaLeaseClient _kea;
    private readonly AgentRegistry _agents;
    private readonly SessionDirectory _directory;
    private readonly Tombstones _tombstones;
    private readonly SessionReadModel _history;
    private readonly Authorizer _authorizer;
    private readonly ReconcilerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LeaseReconciler> _logger;

    public LeaseReconciler(KeaLeaseClient kea, AgentRegistry agents, SessionDirectory directory, Tombstones tombstones,
        SessionReadModel history, Authorizer authorizer, IOptions<ReconcilerOptions> options, TimeProvider time, ILogger<LeaseReconciler> logger)
    {
        _kea = kea;
        _agents = agents;
        _directory = directory;
        _tombstones = tombstones;
        _history = history;
        _authorizer = authorizer;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var result = await ReconcileOnceAsync(stoppingToken);
                if (result.Ended + result.Adopted > 0)
                {
                    LogPass(result.Leases, result.Ended, result.Adopted, result.Skipped);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                LogKeaUnavailable(_options.KeaControlAgentUrl, ex.Message);
            }
        }
    }

    public async Task<ReconcileResult> ReconcileOnceAsync(CancellationToken ct)
    {
        var leases = await _kea.GetAllAsync(ct);
        var now = _time.GetUtcNow();
        int ended = 0, adopted = 0, skipped = 0;
        foreach (var agent in _agents.Agents)
        {
            var bng = agent.BngId;
            var relayed = leases.Where(l => l.State == 0 && RelayId(l.RelayAgentInfo) == bng).ToList();
            var active = relayed.Where(l => l.Expires > now).ToList();
            // A lease that ran out a moment ago still covers its session: the agent, which saw the lease time,
            // ends it itself (Session-Timeout) within a second; the reconciler is for leases that are gone.
            var byIp = relayed.Where(l => l.Expires > now - _options.Grace).ToDictionary(l => l.Ip, StringComparer.Ordinal);
            var sessions = _directory.All.Where(s => s.BngId == bng).ToList();

            foreach (var session in sessions)
            {
                if (now - session.Started < _options.Grace)
                {
                    continue;
                }
                if (!byIp.TryGetValue(session.State.Ip, out var lease) || lease.Mac != session.State.Subscriber.Mac)
                {
                    await agent.SendAsync(m => m.PolicyRemove = new PolicyRemove { SessionId = session.SessionId, Ip = session.State.Ip, Cause = "Lost-Service" }, ct);
                    LogLeaseGone(session.SessionId, bng, session.State.Subscriber.Mac, session.State.Ip);
                    ended++;
                }
            }

            var covered = sessions.Select(s => s.State.Ip).ToHashSet(StringComparer.Ordinal);
            var candidates = new List<KeaLease>();
            foreach (var lease in active.Where(l => !covered.Contains(l.Ip)))
            {
                if (now - lease.LastTransaction < _options.Grace || _tombstones.Holds(bng, lease.Mac, lease.Ip, lease.LastTransaction))
                {
                    skipped++;
                    continue;
                }
                candidates.Add(lease);
            }

            var over = await EndedOnPurposeAsync(bng, candidates, ct);
            if (over is null)
            {
                skipped += candidates.Count;
                continue;
            }
            foreach (var lease in candidates)
            {
                if (EndedAfter(over, lease) is { } session)
                {
                    LogEndedBefore(lease.Mac, lease.Ip, bng, session.SessionId, session.Cause, session.Stopped);
                    // Remembered as this controller's own ended sessions are, so that later passes leave it quietly.
                    _tombstones.Add(bng, lease.Mac, lease.Ip, lease.Expires);
                    skipped++;
                    continue;
                }
                if (await AdoptAsync(agent, lease, ct))
                {
                    adopted++;
                }
                else
                {
                    skipped++;
                }
            }
        }
        return new ReconcileResult(leases.Count, ended, adopted, skipped);
    }

    /// <summary>
    /// The latest session ended on purpose since the oldest candidate's last transaction, by MAC and by address; null
    /// when the read model cannot be asked, and then nothing is adopted this pass (a lease adopted wrongly gives service
    /// back to a subscriber who left, one left for the next pass only waits).
    /// </summary>
    private async Task<Dictionary<string, EndedSession>?> EndedOnPurposeAsync(string bng, List<KeaLease> candidates, CancellationToken ct)
    {
        var latest = new Dictionary<string, EndedSession>(StringComparer.Ordinal);
        if (candidates.Count == 0)
        {
            return latest;
        }
        IReadOnlyList<EndedSession> ended;
        try
        {
            ended = await _history.ListEndedOnPurposeAsync(bng, candidates.Min(l => l.LastTransaction),
                candidates.Select(l => l.Mac).ToList(), candidates.Select(l => l.Ip).ToList(), ct);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            LogHistoryUnavailable(bng, candidates.Count, ex.Message);
            return null;
        }
        foreach (var session in ended)
        {
            foreach (var key in new[] { session.Mac, session.Ip })
            {
                if (!latest.TryGetValue(key, out var known) || known.Stopped < session.Stopped)
                {
                    latest[key] = session;
                }
            }
        }
        return latest;
    }

    /// <summary>The session, by the lease's MAC or address, that ended on purpose at or after the lease's last transaction.</summary>
    internal static EndedSession? EndedAfter(IReadOnlyDictionary<string, EndedSession> ended, KeaLease lease) =>
        ended.TryGetValue(lease.Mac, out var byMac) && byMac.Stopped >= lease.LastTransaction ? byMac
        : ended.TryGetValue(lease.Ip, out var byIp) && byIp.Stopped >= lease.LastTransaction ? byIp
        : null;

    private async Task<bool> AdoptAsync(AgentConnection agent, KeaLease lease, CancellationToken ct)
    {
        var info = new RelayAgentInformation(lease.RelayAgentInfo);
        if (!info.IsPresent || info.CircuitId.IsEmpty)
        {
            return false;
        }
        var subscriber = new SubscriberIdentity
        {
            Mac = lease.Mac,
            CircuitId = Encoding.UTF8.GetString(info.CircuitId),
            RemoteId = Encoding.UTF8.GetString(info.RemoteId),
            RelayId = agent.BngId,
            Interface = SubscriberInterfaceFor(agent.Hello.Interfaces, lease.Ip),
        };
        var decision = await _authorizer.AuthorizeAsync(agent.BngId, new AuthorizeRequest { Subscriber = subscriber }, ct);
        if (!decision.Accepted)
        {
            LogNotAdopted(lease.Mac, lease.Ip, agent.BngId, decision.Reason);
            return false;
        }
        await agent.SendAsync(m => m.SessionAdopt = new SessionAdopt
        {
            Subscriber = subscriber,
            Ip = lease.Ip,
            Policy = decision.Policy,
            LeaseExpires = Timestamp.FromDateTimeOffset(lease.Expires),
        }, ct);
        LogAdopted(lease.Mac, lease.Ip, agent.BngId, subscriber.CircuitId);
        return true;
    }

    /// <summary>
    /// The agent's subscriber-facing interface whose network holds the leased address (each has its gateway address
    /// and prefix there); the first subscriber interface when none does.
    /// </summary>
    internal static string SubscriberInterfaceFor(IEnumerable<Contracts.Agent.V1.Interface> interfaces, string ip)
    {
        var subscriber = interfaces.Where(i => i.Role == "subscriber").ToList();
        if (System.Net.IPAddress.TryParse(ip, out var address))
        {
            foreach (var candidate in subscriber)
            {
                foreach (var cidr in candidate.Addresses)
                {
                    // The interface's own address with its prefix, e.g. 100.64.0.1/24 (host bits set, so not IPNetwork.Parse).
                    var slash = cidr.IndexOf('/', StringComparison.Ordinal);
                    if (slash > 0 && System.Net.IPAddress.TryParse(cidr.AsSpan(0, slash), out var own) && own.AddressFamily == address.AddressFamily
                        && int.TryParse(cidr.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out var prefix)
                        && new System.Net.IPNetwork(Masked(own, prefix), prefix).Contains(address))
                    {
                        return candidate.Name;
                    }
                }
            }
        }
        return subscriber.FirstOrDefault()?.Name ?? "";
    }

    private static System.Net.IPAddress Masked(System.Net.IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new System.Net.IPAddress(bytes);
    }

    private static string? RelayId(byte[] relayAgentInfo)
    {
        var info = new RelayAgentInformation(relayAgentInfo);
        return info.IsPresent && !info.RelayId.IsEmpty ? Encoding.UTF8.GetString(info.RelayId) : null;
    }

    [LoggerMessage(EventId = 2700, Level = LogLevel.Information, Message = "Reconciled {Leases} Kea leases: {Ended} sessions ended, {Adopted} adopted, {Skipped} left alone")]
    private partial void LogPass(int leases, int ended, int adopted, int skipped);

    [LoggerMessage(EventId = 2706, Level = LogLevel.Information, Message = "Kea lease mac={Mac} ip={Ip} relayed by {BngId} not adopted: its session {SessionId} ended ({Cause}) at {Stopped:o}, after the lease's last transaction")]
    private partial void LogEndedBefore(string mac, string ip, string bngId, string sessionId, string cause, DateTimeOffset stopped);

    [LoggerMessage(EventId = 2707, Level = LogLevel.Warning, Message = "Session history unavailable for reconciling {BngId}: {Count} Kea leases without a session left for the next pass ({Reason})")]
    private partial void LogHistoryUnavailable(string bngId, int count, string reason);

    [LoggerMessage(EventId = 2701, Level = LogLevel.Warning, Message = "Kea control agent {Url} unavailable for reconciliation: {Reason}")]
    private partial void LogKeaUnavailable(string url, string reason);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Warning, Message = "Session {SessionId} on {BngId} (mac={Mac} ip={Ip}) has no lease in Kea: ending it (Lost-Service)")]
    private partial void LogLeaseGone(string sessionId, string bngId, string mac, string ip);

    [LoggerMessage(EventId = 2703, Level = LogLevel.Warning, Message = "Kea lease mac={Mac} ip={Ip} relayed by {BngId} circuit-id={CircuitId} had no session: adopted")]
    private partial void LogAdopted(string mac, string ip, string bngId, string circuitId);

    [LoggerMessage(EventId = 2704, Level = LogLevel.Information, Message = "Kea lease mac={Mac} ip={Ip} on {BngId} not adopted: {Reason}")]
    private partial void LogNotAdopted(string mac, string ip, string bngId, string reason);
}

internal readonly record struct ReconcileResult(int Leases, int Ended, int Adopted, int Skipped);
