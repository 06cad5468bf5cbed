using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Sessions;

/// <summary>RFC 2866 Acct-Terminate-Cause names the agent reports.</summary>
internal static class TerminateCause
{
    public const string UserRequest = "User-Request";
    public const string LostService = "Lost-Service";
    public const string IdleTimeout = "Idle-Timeout";
    public const string SessionTimeout = "Session-Timeout";
    public const string AdminReset = "Admin-Reset";
    public const string NasRequest = "NAS-Request";
    public const string NasReboot = "NAS-Reboot";
}

internal sealed partial class SessionManager
{
    /// <summary>The client gave its address back (RELEASE) or refused it (DECLINE), from the line it has its session on.</summary>
    public async Task OnClientEndAsync(SubscriberKey key, Ipv4Address ip, DhcpMessageType type, CancellationToken cancellationToken)
    {
        using var locks = await _locks.AcquireAsync(key.Mac, cancellationToken);
        if (_byMac.TryGetValue(key.Mac, out var session) && session.Key == key && (ip.IsAny || session.Ip == ip))
        {
            var detail = type == DhcpMessageType.Release ? "DHCPRELEASE" : "DHCPDECLINE";
            // A decline says the address is unusable (RFC 2131 4.4.1): the service was lost, not ended by the user.
            await StopLockedAsync(session, type == DhcpMessageType.Release ? TerminateCause.UserRequest : TerminateCause.LostService, detail, cancellationToken);
        }
    }

    /// <summary>
    /// Ends sessions whose lease ran out without a renewal, all at once: their removals meet in the kernel's batches
    /// (one final counter read and one nft and tc run per batch), where one at a time each would pay a counter read of
    /// every session.
    /// </summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        PruneDecisions(now);
        var due = _byId.Values.Where(s => s.LeaseExpires < now).ToList();
        if (due.Count > 0)
        {
            await Task.WhenAll(due.Select(session =>
                StopAsync(session, TerminateCause.SessionTimeout, "lease expired", s => s.LeaseExpires < _time.GetUtcNow(), cancellationToken)));
        }
    }

    /// <summary>Ends a session (if it is still current and <paramref name="stillDue"/> holds) under its lock.</summary>
    private async Task<bool> StopAsync(Session session, string cause, string detail, Func<Session, bool>? stillDue, CancellationToken cancellationToken)
    {
        using var locks = await _locks.AcquireAsync(session.Mac, cancellationToken);
        if (!_byId.TryGetValue(session.SessionId, out var current) || !ReferenceEquals(current, session) || (stillDue is not null && !stillDue(session)))
        {
            return false;
        }
        await StopLockedAsync(session, cause, detail, cancellationToken);
        return true;
    }

    /// <summary>Removes the session's kernel state at once (walled garden), then reports it with its final counters.</summary>
    private async Task StopLockedAsync(Session session, string cause, string detail, CancellationToken cancellationToken)
    {
        var result = await _kernel.ApplyAsync(new RemoveSession(session.Ip, session.Interface, session.ClassId), cancellationToken);
        Forget(session);
        _ = _store.RemoveAsync(session.SessionId);
        var counters = result.FinalCounters is { } final && Total(final) >= Total(session.LastTotals) ? final : session.LastTotals;
        LogSessionStopped(session.SessionId, session.Mac, session.Ip.ToString(), session.Subscriber.CircuitId, cause, detail, counters.BytesUp, counters.BytesDown);
        ReportStopped(session, cause, detail, counters);
    }

    private void ReportStopped(Session session, string cause, string detail, Counters counters) =>
        _controller.Report(m => m.SessionStopped = new SessionStopped
        {
            SessionId = session.SessionId,
            Ip = session.Ip.ToString(),
            Cause = cause,
            FinalCounters = counters,
            Detail = detail,
        });

    private static ulong Total(Counters c) => c.BytesUp + c.BytesDown + c.PacketsUp + c.PacketsDown;

    public void OnPolicyRemove(PolicyRemove command) => RunCommand("PolicyRemove", command.SessionId, async ct =>
    {
        var session = Find(command.SessionId, command.Ip);
        if (session is null)
        {
            LogUnknownSession("PolicyRemove", command.SessionId, command.Ip);
            return;
        }
        // A session ended by the operator must not come straight back on the next DISCOVER.
        _decisions.TryRemove(session.Key, out _);
        await StopAsync(session, string.IsNullOrEmpty(command.Cause) ? TerminateCause.AdminReset : command.Cause, "controller request", null, ct);
    });

    private Session? Find(string sessionId, string ip) =>
        !string.IsNullOrEmpty(sessionId) ? _byId.GetValueOrDefault(sessionId)
        : Ipv4Address.TryParse(ip, out var address) ? _byIp.GetValueOrDefault(address.Value) : null;
}
