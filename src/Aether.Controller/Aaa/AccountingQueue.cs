using System.Net;
using System.Threading.Channels;
using Aether.Controller.Sessions;
using Aether.Radius;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Aaa;

/// <summary>
/// RFC 2866 accounting for sessions: Start when the agent reports the session, Stop with its final
/// counters and terminate cause. Sent in order by one worker so that a Stop never overtakes its Start.
/// </summary>
internal sealed partial class AccountingQueue : BackgroundService
{
    private readonly Channel<RadiusRequest> _queue = Channel.CreateBounded<RadiusRequest>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly RadiusClient _radius;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountingQueue> _logger;
    private readonly IPAddress _nasIp;

    public AccountingQueue(RadiusClient radius, IOptions<ControllerOptions> options, TimeProvider time, ILogger<AccountingQueue> logger)
    {
        _radius = radius;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _nasIp = IPAddress.Parse(_options.NasIpAddress);
    }

    public void Start(LiveSession session) =>
        Enqueue(WithSession(RadiusRequest.AccountingStart(session.SessionId), session));

    /// <summary>Interim-Update when the session's interval has passed since Start or the last interim.</summary>
    public void InterimIfDue(LiveSession session)
    {
        var now = _time.GetUtcNow();
        var last = session.LastInterim == default ? session.Started : session.LastInterim;
        if (now - last < TimeSpan.FromSeconds(_options.AcctInterimIntervalSeconds))
        {
            return;
        }
        session.LastInterim = now;
        Enqueue(WithSession(RadiusRequest.AccountingInterim(session.SessionId, Counters(session)), session));
    }

    private AccountingCounters Counters(LiveSession session) => new(session.Counters.BytesUp, session.Counters.BytesDown,
        session.Counters.PacketsUp, session.Counters.PacketsDown, _time.GetUtcNow() - session.Started);

    public void Stop(LiveSession session, string cause)
    {
        Enqueue(WithSession(RadiusRequest.AccountingStop(session.SessionId, Counters(session), TerminateCause(cause)), session));
    }

    private void Enqueue(RadiusRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            LogQueueFull();
        }
    }

    private RadiusRequest WithSession(RadiusRequest request, LiveSession session) => request
        .Add(RadiusAttribute.FromString(RadiusAttributeType.UserName, session.UserName))
        .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.NasIpAddress, _nasIp))
        .Add(RadiusAttribute.FromString(RadiusAttributeType.NasIdentifier, session.BngId))
        .Add(RadiusAttribute.FromString(RadiusAttributeType.NasPortId, session.State.Subscriber.Interface))
        .Add(RadiusAttribute.FromString(RadiusAttributeType.CallingStationId, session.State.Subscriber.Mac))
        .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.FramedIpAddress, IPAddress.Parse(session.State.Ip)));

    internal static AcctTerminateCause TerminateCause(string cause) => cause switch
    {
        "User-Request" => AcctTerminateCause.UserRequest,
        "Lost-Carrier" => AcctTerminateCause.LostCarrier,
        "Idle-Timeout" => AcctTerminateCause.IdleTimeout,
        "Session-Timeout" => AcctTerminateCause.SessionTimeout,
        "Admin-Reset" => AcctTerminateCause.AdminReset,
        "NAS-Request" => AcctTerminateCause.NasRequest,
        "NAS-Reboot" => AcctTerminateCause.NasReboot,
        "Lost-Service" => AcctTerminateCause.LostService,
        _ => AcctTerminateCause.NasRequest,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            var delay = TimeSpan.FromSeconds(1);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _radius.AccountAsync(request, stoppingToken);
                    break;
                }
                catch (RadiusException ex)
                {
                    LogAccountingRetry(ex.Message, delay.TotalSeconds);
                    await Task.Delay(delay, _time, stoppingToken);
                    delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
                }
            }
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Error, Message = "Accounting queue is full; a record waits")]
    private partial void LogQueueFull();

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Accounting not answered ({Reason}); retrying in {DelaySeconds} s")]
    private partial void LogAccountingRetry(string reason, double delaySeconds);
}
