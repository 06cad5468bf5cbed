using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Sessions;

internal sealed partial class SessionManager
{
    /// <summary>
    /// Sessions per counter message: about 80 bytes each, so that a message (and the buffer gRPC serializes it into)
    /// stays under the large object heap's 85,000 bytes; large buffers are only collected with the whole heap.
    /// </summary>
    private const int SessionsPerReport = 800;

    /// <summary>
    /// One read of every session's counters: totals and deltas since the last sweep to the controller (which turns
    /// them into SESSION_UPDATE and interim accounting), and the idle timeout for sessions whose counters stood still.
    /// The sweep's duration is recorded (aether.agent.counter.sweep.duration).
    /// </summary>
    public async Task SweepCountersAsync(CancellationToken cancellationToken)
    {
        if (_byId.IsEmpty)
        {
            return;
        }
        var started = _time.GetTimestamp();
        await SweepCountersCoreAsync(cancellationToken);
        Aether.Observability.AgentMetrics.CounterSweepDuration.Record(_time.GetElapsedTime(started).TotalSeconds);
    }

    private async Task SweepCountersCoreAsync(CancellationToken cancellationToken)
    {
        var totals = await _kernel.ReadCountersAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var connected = _controller.IsConnected;
        var report = new CounterReport();
        var idle = new List<Session>();
        foreach (var session in _byId.Values)
        {
            if (!totals.TryGetValue(session.Ip.Value, out var total))
            {
                continue;
            }
            var last = session.LastTotals;
            var delta = total.BytesUp >= last.BytesUp && total.BytesDown >= last.BytesDown
                ? new Counters
                {
                    BytesUp = total.BytesUp - last.BytesUp,
                    BytesDown = total.BytesDown - last.BytesDown,
                    PacketsUp = total.PacketsUp - Math.Min(total.PacketsUp, last.PacketsUp),
                    PacketsDown = total.PacketsDown - Math.Min(total.PacketsDown, last.PacketsDown),
                }
                : total.Clone();
            if (delta.PacketsUp + delta.PacketsDown > 0)
            {
                session.LastActivity = now;
            }
            session.LastTotals = total;
            if (IdleTimeoutOf(session) is { } timeout && now - session.LastActivity >= timeout)
            {
                idle.Add(session);
            }
            if (!connected)
            {
                continue;
            }
            report.Sessions.Add(new SessionCounters { SessionId = session.SessionId, Ip = session.Ip.ToString(), Total = total, Delta = delta, Seq = _controller.ReserveSeq() });
            if (report.Sessions.Count == SessionsPerReport)
            {
                var full = report;
                _controller.Send(m => m.Counters = full);
                report = new CounterReport();
            }
        }
        if (report.Sessions.Count > 0)
        {
            _controller.Send(m => m.Counters = report);
        }
        // All at once, so that their removals share kernel batches (see ExpireAsync).
        await Task.WhenAll(idle.Select(session =>
            StopAsync(session, TerminateCause.IdleTimeout, $"no traffic for {IdleTimeoutOf(session)?.TotalSeconds ?? 0:0} s",
                s => IdleTimeoutOf(s) is { } t && _time.GetUtcNow() - s.LastActivity >= t, cancellationToken)));
    }

    /// <summary>The session's own Idle-Timeout (from RADIUS) or else the agent's; null when the session never idles out.</summary>
    private TimeSpan? IdleTimeoutOf(Session session)
    {
        var timeout = session.Policy.IdleTimeoutSeconds > 0 ? TimeSpan.FromSeconds(session.Policy.IdleTimeoutSeconds) : _options.IdleTimeout;
        return timeout > TimeSpan.Zero ? timeout : null;
    }
}
