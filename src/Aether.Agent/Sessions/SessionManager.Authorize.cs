using Aether.Agent.Control;
using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Sessions;

internal sealed partial class SessionManager
{
    /// <summary>
    /// The decision for this subscriber: a live session's own (renewals need no round trip), a cached one, or the
    /// controller's. With the controller away, existing subscribers keep renewing and new ones follow the headless
    /// policy.
    /// </summary>
    /// <exception cref="ControllerUnavailableException">No decision can be had (fail-closed).</exception>
    public Task<AuthorizationDecision> AuthorizeAsync(SubscriberKey key, SubscriberIdentity identity, uint xid, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_byMac.TryGetValue(key.Mac, out var session) && session.Key == key)
        {
            return Task.FromResult(new AuthorizationDecision(true, session.Policy, "session", now + RejectCacheTime, session.Provisional));
        }
        if (_decisions.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return Task.FromResult(cached);
        }
        // One question per subscriber at a time: retransmissions and the REQUEST after a DISCOVER wait for the same answer.
        var answer = new TaskCompletionSource<AuthorizationDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = _pending.GetOrAdd(key, answer.Task);
        if (pending == answer.Task)
        {
            _ = AskControllerAsync(key, identity, xid, answer, cancellationToken);
        }
        return pending;
    }

    /// <summary>Subscribers with a cached decision (for the benchmarks and tests).</summary>
    internal int CachedDecisions => _decisions.Count;

    /// <summary>
    /// Forgets decisions that expired a while ago (an ACK may follow its DISCOVER late). A decision leaves the cache
    /// when its session starts (the session answers for its subscriber from then on, and a new address for it starts
    /// with the session's policy), so the cache holds subscribers between a DISCOVER and their session, and rejected
    /// ones, rather than every subscriber on the lines. At most once per grace period.
    /// </summary>
    private void PruneDecisions(DateTimeOffset now)
    {
        if (now < _nextDecisionPrune)
        {
            return;
        }
        _nextDecisionPrune = now + DecisionGrace;
        foreach (var (key, decision) in _decisions)
        {
            if (decision.Expires + DecisionGrace < now && !(_byMac.TryGetValue(key.Mac, out var session) && session.Key == key))
            {
                _decisions.TryRemove(new KeyValuePair<SubscriberKey, AuthorizationDecision>(key, decision));
            }
        }
    }

    private async Task AskControllerAsync(SubscriberKey key, SubscriberIdentity identity, uint xid, TaskCompletionSource<AuthorizationDecision> answer, CancellationToken cancellationToken)
    {
        AuthorizationDecision decision;
        try
        {
            decision = await DecideAsync(key, identity, xid, cancellationToken);
        }
        catch (Exception ex)
        {
            _pending.TryRemove(new KeyValuePair<SubscriberKey, Task<AuthorizationDecision>>(key, answer.Task));
            answer.TrySetException(ex);
            return;
        }
        _pending.TryRemove(new KeyValuePair<SubscriberKey, Task<AuthorizationDecision>>(key, answer.Task));
        answer.TrySetResult(decision);
    }

    private async Task<AuthorizationDecision> DecideAsync(SubscriberKey key, SubscriberIdentity identity, uint xid, CancellationToken cancellationToken)
    {
        AuthorizeResult result;
        try
        {
            result = await _controller.AuthorizeAsync(identity, xid, cancellationToken);
        }
        catch (ControllerUnavailableException ex) when (_options.Headless.NewSubscribers == HeadlessPolicy.FailOpen)
        {
            var policy = new ShapingPolicy
            {
                PolicyId = "headless-default",
                DownloadKbps = _options.Headless.DownloadKbps,
                UploadKbps = _options.Headless.UploadKbps,
            };
            var provisional = new AuthorizationDecision(true, policy, "fail-open", _time.GetUtcNow() + _options.Headless.DecisionLifetime, Provisional: true, AccessRelayId: identity.AccessRelayId);
            _decisions[key] = provisional;
            LogFailOpen(key.Mac, key.CircuitId, key.RemoteId, ex.Message);
            return provisional;
        }
        var ttl = result.Accepted ? TimeSpan.FromSeconds(Math.Max(result.CacheSeconds, 1)) : RejectCacheTime;
        var decision = new AuthorizationDecision(result.Accepted, result.Policy, result.Reason, _time.GetUtcNow() + ttl, AccessRelayId: identity.AccessRelayId);
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
}
