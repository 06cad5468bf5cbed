using Aether.Agent.Control;
using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Sessions;

/// <summary>
/// Periodic work: one batched counter read for all sessions, reported to the controller (which turns it
/// into SESSION_UPDATE and interim accounting), and expiry of leases that were not renewed.
/// </summary>
internal sealed partial class SessionTimers : BackgroundService
{
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(5);

    private readonly AgentOptions _options;
    private readonly SessionManager _sessions;
    private readonly SessionKernel _kernel;
    private readonly ControllerLink _controller;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionTimers> _logger;

    public SessionTimers(IOptions<AgentOptions> options, SessionManager sessions, SessionKernel kernel, ControllerLink controller, TimeProvider time, ILogger<SessionTimers> logger)
    {
        _options = options.Value;
        _sessions = sessions;
        _kernel = kernel;
        _controller = controller;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _kernel.Ready.WaitAsync(stoppingToken);
        var nextCounters = _time.GetUtcNow() + _options.CounterInterval;
        using var timer = new PeriodicTimer(ExpiryInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await _sessions.ExpireAsync(stoppingToken);
                if (_time.GetUtcNow() >= nextCounters)
                {
                    nextCounters = _time.GetUtcNow() + _options.CounterInterval;
                    await SweepCountersAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTimerFailed(ex);
            }
        }
    }

    private async Task SweepCountersAsync(CancellationToken cancellationToken)
    {
        if (_sessions.Count == 0)
        {
            return;
        }
        var counters = await _kernel.ReadCountersAsync(cancellationToken);
        var report = new CounterReport();
        foreach (var session in _sessions.Sessions)
        {
            if (counters.TryGetValue(session.Ip.Value, out var total))
            {
                report.Sessions.Add(new SessionCounters { SessionId = session.SessionId, Ip = session.Ip.ToString(), Total = total, Seq = _controller.ReserveSeq() });
            }
        }
        if (report.Sessions.Count > 0)
        {
            _controller.Send(m => m.Counters = report);
        }
    }

    [LoggerMessage(EventId = 1600, Level = LogLevel.Error, Message = "Session timer pass failed")]
    private partial void LogTimerFailed(Exception exception);
}
