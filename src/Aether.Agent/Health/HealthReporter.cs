using Aether.Agent.Control;
using Aether.Agent.Dhcp;
using Aether.Agent.Sessions;
using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Health;

/// <summary>
/// Every health interval: CPU (over the interval) and memory of the agent's cgroup, interface state, systemd unit
/// state, relay and journal counters, reported to the controller (which publishes BNG_HEALTH_UPDATE).
/// </summary>
internal sealed partial class HealthReporter : BackgroundService
{
    private readonly AgentOptions _options;
    private readonly CgroupReader _cgroup;
    private readonly InterfaceMonitor _interfaces;
    private readonly SystemdUnits _units;
    private readonly RelayCounters _relay;
    private readonly SubscriberCapture _capture;
    private readonly ReportJournal _journal;
    private readonly SessionManager _sessions;
    private readonly IControllerLink _controller;
    private readonly TimeProvider _time;
    private readonly ILogger<HealthReporter> _logger;
    private (DateTimeOffset At, TimeSpan Cpu)? _previous;

    public HealthReporter(
        IOptions<AgentOptions> options,
        CgroupReader cgroup,
        InterfaceMonitor interfaces,
        SystemdUnits units,
        RelayCounters relay,
        SubscriberCapture capture,
        ReportJournal journal,
        SessionManager sessions,
        IControllerLink controller,
        TimeProvider time,
        ILogger<HealthReporter> logger)
    {
        _options = options.Value;
        _cgroup = cgroup;
        _interfaces = interfaces;
        _units = units;
        _relay = relay;
        _capture = capture;
        _journal = journal;
        _sessions = sessions;
        _controller = controller;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first sample only sets the baseline for CPU over the interval.
        Sample();
        using var timer = new PeriodicTimer(_options.HealthInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var report = await BuildAsync(stoppingToken);
                    _controller.Send(m => m.Health = report);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHealthFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<HealthReport> BuildAsync(CancellationToken cancellationToken)
    {
        var (sample, cpuPercent) = Sample();
        var report = new HealthReport
        {
            CpuPercent = cpuPercent,
            MemoryBytes = sample.MemoryBytes,
            MemoryLimitBytes = sample.MemoryLimitBytes,
            SessionCount = (uint)_sessions.Count,
            Cgroup = sample.Version,
            Relay = new RelayHealth
            {
                RelayedToServer = (ulong)_relay.ToServer,
                RelayedToClient = (ulong)_relay.ToClient,
                CaptureDropped = (ulong)_capture.DroppedFrames,
            },
            Journal = new JournalHealth { Pending = (uint)_journal.Count, Dropped = (ulong)_journal.Dropped, Bytes = (ulong)_journal.Bytes },
        };
        foreach (var (iface, reason, count) in _relay.Snapshot())
        {
            report.Relay.Drops.Add(new RelayDrop { Interface = iface, Reason = reason.Name(), Count = (ulong)count });
        }
        var interfaces = await _interfaces.ReadAsync(cancellationToken);
        report.Interfaces.AddRange(interfaces);
        foreach (var down in interfaces.Where(i => i.Role == "subscriber" && i.OperState is not ("up" or "unknown")))
        {
            LogInterfaceDown(down.Name, down.OperState);
        }
        report.Units.AddRange(await _units.ReadAsync(cancellationToken));
        report.SystemdAvailable = _units.Available;
        return report;
    }

    /// <summary>Reads the cgroup and works out CPU use since the previous sample, in percent of the CPUs the cgroup may use.</summary>
    private (CgroupSample Sample, double CpuPercent) Sample()
    {
        var now = _time.GetUtcNow();
        var sample = _cgroup.Read();
        var percent = 0.0;
        if (_previous is { } previous && now > previous.At && sample.Cpus > 0)
        {
            var used = (sample.CpuUsage - previous.Cpu).TotalSeconds;
            percent = Math.Clamp(used / (now - previous.At).TotalSeconds / sample.Cpus * 100, 0, 100);
        }
        _previous = (now, sample.CpuUsage);
        return (sample, percent);
    }

    [LoggerMessage(EventId = 1900, Level = LogLevel.Error, Message = "Health report failed")]
    private partial void LogHealthFailed(Exception exception);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "Subscriber interface {Interface} is {State}")]
    private partial void LogInterfaceDown(string @interface, string state);
}
