using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Sessions;

internal sealed partial class SessionManager
{
    /// <summary>A new policy for a live session (CoA, plan change): its classes change in place, the session goes on.</summary>
    public void OnPolicyApply(PolicyApply command) => RunCommand("PolicyApply", command.SessionId, ct => ApplyPolicyAsync(command, ct));

    internal async Task<bool> ApplyPolicyAsync(PolicyApply command, CancellationToken cancellationToken)
    {
        var session = Find(command.SessionId, command.Ip);
        if (session is null || command.Policy is null)
        {
            LogUnknownSession("PolicyApply", command.SessionId, command.Ip);
            return false;
        }
        using var locks = await _locks.AcquireAsync(session.Mac, cancellationToken);
        if (!_byId.ContainsKey(session.SessionId))
        {
            LogUnknownSession("PolicyApply", command.SessionId, command.Ip);
            return false;
        }
        var result = await _kernel.ApplyAsync(new ChangeRate(session.Ip, session.Interface, session.ClassId, command.Policy), cancellationToken);
        if (!result.Succeeded)
        {
            LogPolicyFailed(session.SessionId, session.Mac, session.Ip.ToString(), result.Error ?? "unknown");
            return false;
        }
        // A rate change (CoA with only a rate) keeps the session's Idle-Timeout.
        var policy = command.Policy.IdleTimeoutSeconds == 0 && session.Policy.IdleTimeoutSeconds > 0
            ? new ShapingPolicy(command.Policy) { IdleTimeoutSeconds = session.Policy.IdleTimeoutSeconds }
            : command.Policy;
        session.Policy = policy;
        session.Provisional = false;
        // The decision cached for the subscriber follows, so that a new lease gets the new policy too.
        if (_decisions.TryGetValue(session.Key, out var decision) && decision.Accepted)
        {
            _decisions[session.Key] = decision with { Policy = policy, Provisional = false };
        }
        _ = _store.PutAsync(session.ToStored());
        LogPolicyChanged(session.SessionId, session.Mac, session.Ip.ToString(), command.Policy.DownloadKbps, command.Policy.UploadKbps);
        _controller.Report(m => m.PolicyApplied = Applied(session));
        return true;
    }
}
