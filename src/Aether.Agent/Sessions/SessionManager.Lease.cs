using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Sessions;

internal sealed partial class SessionManager
{
    /// <summary>
    /// The DHCP server acknowledged a lease: renew the session, or program the kernel, record the session and report
    /// it, all before the client sees the ACK. A new address for the same client ends its old session first.
    /// </summary>
    public async Task<bool> OnAckAsync(string interfaceName, SubscriberKey key, SubscriberIdentity identity, Ipv4Address ip, uint leaseSeconds, CancellationToken cancellationToken)
    {
        // Another client's session may still hold this address (released and handed out again): take both locks.
        var holder = _byIp.TryGetValue(ip.Value, out var h) && h.Mac != key.Mac ? h.Mac : key.Mac;
        using var locks = await _locks.AcquireAsync(key.Mac, holder, cancellationToken);
        var now = _time.GetUtcNow();
        // A live session is its subscriber's decision (no cached one is kept beside it): a new address on the same
        // circuit starts the next session with the same policy.
        AuthorizationDecision? carried = null;
        if (_byMac.TryGetValue(key.Mac, out var existing))
        {
            if (existing.Ip == ip && existing.Key == key)
            {
                existing.LeaseExpires = now.AddSeconds(leaseSeconds);
                _ = _store.PutAsync(existing.ToStored());
                LogRenewed(existing.SessionId, key.Mac, ip.ToString(), key.CircuitId, leaseSeconds);
                return true;
            }
            if (existing.Key == key)
            {
                carried = new AuthorizationDecision(true, existing.Policy, "session", now + RejectCacheTime, existing.Provisional, existing.Subscriber.AccessRelayId);
            }
            await StopLockedAsync(existing, "NAS-Request", existing.Ip == ip ? "circuit changed" : "address changed", cancellationToken);
        }
        if (_byIp.TryGetValue(ip.Value, out var previous) && previous.Mac != key.Mac)
        {
            await StopLockedAsync(previous, "NAS-Request", "address given to another client", cancellationToken);
        }

        var decision = _decisions.TryGetValue(key, out var cached) && cached is { Accepted: true, Policy: not null } ? cached : carried;
        if (decision?.Policy is not { } policy)
        {
            LogAckWithoutAuthorization(key.Mac, key.CircuitId, ip.ToString());
            return false;
        }
        if (identity.AccessRelayId.Length == 0)
        {
            identity.AccessRelayId = decision.AccessRelayId;
        }
        return await StartLockedAsync(interfaceName, key, identity, ip, now.AddSeconds(leaseSeconds), leaseSeconds, policy, decision.Provisional, cancellationToken);
    }

    /// <summary>
    /// The controller's reconciler found a lease relayed by this BNG that no session covers (missed while the agent
    /// or the controller was down): the session is installed as if the DHCPACK had been seen, unless the client
    /// already has one.
    /// </summary>
    public void OnSessionAdopt(SessionAdopt command) => RunCommand("SessionAdopt", command.Ip, ct => AdoptAsync(command, ct));

    internal async Task<bool> AdoptAsync(SessionAdopt command, CancellationToken cancellationToken)
    {
        var subscriber = command.Subscriber;
        if (subscriber is null || command.Policy is null || !Ipv4Address.TryParse(command.Ip, out var ip)
            || !_options.SubscriberInterfaces.Exists(i => i.Name == subscriber.Interface))
        {
            LogAdoptRefused(subscriber?.Mac ?? "", command.Ip, subscriber?.Interface ?? "", "incomplete, or for an interface this agent does not have");
            return false;
        }
        var key = new SubscriberKey(subscriber.Mac, subscriber.CircuitId, subscriber.RemoteId);
        var holder = _byIp.TryGetValue(ip.Value, out var h) && h.Mac != key.Mac ? h.Mac : key.Mac;
        using var locks = await _locks.AcquireAsync(key.Mac, holder, cancellationToken);
        if (_byMac.ContainsKey(key.Mac) || _byIp.ContainsKey(ip.Value))
        {
            LogAdoptRefused(key.Mac, command.Ip, subscriber.Interface, "a session already holds the client or the address");
            return false;
        }
        var now = _time.GetUtcNow();
        var expires = command.LeaseExpires?.ToDateTimeOffset() ?? now;
        if (expires <= now)
        {
            LogAdoptRefused(key.Mac, command.Ip, subscriber.Interface, "the lease has already expired");
            return false;
        }
        return await StartLockedAsync(subscriber.Interface, key, subscriber, ip, expires, (uint)(expires - now).TotalSeconds, command.Policy, provisional: false, cancellationToken);
    }

    /// <summary>Kernel first, then the state file (durable), then the reports.</summary>
    private async Task<bool> StartLockedAsync(string interfaceName, SubscriberKey key, SubscriberIdentity identity, Ipv4Address ip, DateTimeOffset leaseExpires, uint leaseSeconds, ShapingPolicy policy, bool provisional, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var session = new Session
        {
            SessionId = Guid.NewGuid().ToString("N"),
            Mac = key.Mac,
            Ip = ip,
            Subscriber = identity,
            Interface = interfaceName,
            ClassId = _classIds.Allocate(ShardOf(interfaceName, ip)),
            Policy = policy,
            Started = now,
            LeaseExpires = leaseExpires,
            Provisional = provisional,
            LastActivity = now,
        };
        var result = await _kernel.ApplyAsync(new InstallSession(ip, interfaceName, session.ClassId, session.Policy), cancellationToken);
        if (!result.Succeeded)
        {
            _classIds.Release(session.ClassId, ShardOf(interfaceName, ip));
            LogInstallFailed(key.Mac, ip.ToString(), key.CircuitId, result.Error ?? "unknown");
            return false;
        }
        Add(session);
        // The session carries the decision from here on (AuthorizeAsync answers from it): a cached copy beside every
        // live session would double the agent's memory per subscriber.
        _decisions.TryRemove(key, out _);
        // Durable before the ACK goes out: a restart from here on finds the session.
        await _store.PutAsync(session.ToStored()).WaitAsync(cancellationToken);
        LogSessionStarted(session.SessionId, key.Mac, ip.ToString(), key.CircuitId, key.RemoteId, session.Policy.DownloadKbps, session.Policy.UploadKbps, session.Provisional);

        var state = session.ToState();
        _controller.Report(m => m.SessionStarted = new SessionStarted
        {
            Session = state,
            LeaseSeconds = leaseSeconds,
            Provisional = session.Provisional,
            SetupSeconds = Telemetry.SetupTrace.Elapsed(key.Mac) ?? 0,
        });
        _controller.Report(m => m.PolicyApplied = Applied(session));
        return true;
    }
}
