using Aether.Agent.Kernel;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Sessions;

/// <summary>
/// Periodic work: expiry of leases that were not renewed, and one batched counter read for all sessions per
/// interval (reported to the controller; sessions idle past the idle timeout end).
/// </summary>
internal sealed partial class SessionTimers : BackgroundService
{
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(1);

    private readonly AgentOptions _options;
    private readonly SessionManager _sessions;
    private readonly ISessionKernel _kernel;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionTimers> _logger;

    public SessionTimers(IOptions<AgentOptions> options, SessionManager sessions, ISessionKernel kernel, TimeProvider time, ILogger<SessionTimers> logger)
    {
        _options = options.Value;
        _sessions = sessions;
        _kernel = kernel;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _kernel.Ready.WaitAsync(stoppingToken);
        var nextCounters = _time.GetUtcNow() + _options.CounterInterval;
        using var timer = new PeriodicTimer(ExpiryInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await _sessions.ExpireAsync(stoppingToken);
                    if (_time.GetUtcNow() >= nextCounters)
                    {
                        nextCounters = _time.GetUtcNow() + _options.CounterInterval;
                        await _sessions.SweepCountersAsync(stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogTimerFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1600, Level = LogLevel.Error, Message = "Session timer pass failed")]
    private partial void LogTimerFailed(Exception exception);
}
