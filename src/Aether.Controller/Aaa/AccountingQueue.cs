using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Aether.Controller.Sessions;
using Aether.Observability;
using Aether.Radius;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Aaa;

/// <summary>
/// RFC 2866 accounting for sessions: Start when the agent reports the session, Stop with its final
/// counters and terminate cause. A session's records go through one lane, sent one at a time, so a Stop never
/// overtakes its Start; the lanes (sessions spread over them by id) send concurrently, so one round trip per record
/// does not bound how many sessions a second can start.
/// </summary>
internal sealed partial class AccountingQueue : BackgroundService
{
    /// <summary>Records waiting, over every lane, before new ones are dropped (and logged).</summary>
    public const int Capacity = 100_000;

    private readonly Channel<Queued>[] _lanes;
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
        _lanes = new Channel<Queued>[_options.AccountingConcurrency];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = Channel.CreateBounded<Queued>(new BoundedChannelOptions(Math.Max(1, Capacity / _lanes.Length))
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }
    }

    /// <summary>The lane of a session: the same for all its records.</summary>
    internal int LaneOf(string sessionId) => (int)((uint)StringComparer.Ordinal.GetHashCode(sessionId) % (uint)_lanes.Length);

    public void Start(LiveSession session) =>
        Enqueue(WithSession(RadiusRequest.AccountingStart(session.SessionId), session), "Start", session.SessionId);

    /// <summary>
    /// Interim-Update when the session's interval has passed since Start or the last interim; true when one was sent.
    /// </summary>
    public bool InterimIfDue(LiveSession session)
    {
        var now = _time.GetUtcNow();
        var last = session.LastInterim == default ? session.Started : session.LastInterim;
        if (now - last < TimeSpan.FromSeconds(_options.AcctInterimIntervalSeconds))
        {
            return false;
        }
        session.LastInterim = now;
        Enqueue(WithSession(RadiusRequest.AccountingInterim(session.SessionId, Counters(session)), session), "Interim-Update", session.SessionId);
        return true;
    }

    private AccountingCounters Counters(LiveSession session) => new(session.Counters.BytesUp, session.Counters.BytesDown,
        session.Counters.PacketsUp, session.Counters.PacketsDown, _time.GetUtcNow() - session.Started);

    public void Stop(LiveSession session, string cause)
    {
        Enqueue(WithSession(RadiusRequest.AccountingStop(session.SessionId, Counters(session), TerminateCause(cause)), session), "Stop", session.SessionId);
    }

    private void Enqueue(RadiusRequest request, string status, string sessionId)
    {
        // The trace the record belongs to (a SESSION_START report carries the subscriber's setup trace).
        var parent = Activity.Current?.Context ?? default;
        if (!_lanes[LaneOf(sessionId)].Writer.TryWrite(new Queued(request, status, sessionId, parent)))
        {
            LogQueueFull(status, sessionId);
        }
    }

    private RadiusRequest WithSession(RadiusRequest request, LiveSession session)
    {
        request.Add(RadiusAttribute.FromString(RadiusAttributeType.UserName, session.UserName))
            .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.NasIpAddress, _nasIp))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.NasIdentifier, session.BngId));
        // Unknown for a session rebuilt from the read model, and a string attribute may not be empty (RFC 2865 5).
        if (session.State.Subscriber.Interface.Length > 0)
        {
            request.Add(RadiusAttribute.FromString(RadiusAttributeType.NasPortId, session.State.Subscriber.Interface));
        }
        return request
            .Add(RadiusAttribute.FromString(RadiusAttributeType.CallingStationId, session.State.Subscriber.Mac))
            .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.FramedIpAddress, IPAddress.Parse(session.State.Ip)));
    }

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

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_lanes.Select(lane => Task.Run(() => SendAsync(lane.Reader, stoppingToken), stoppingToken)));

    private async Task SendAsync(ChannelReader<Queued> lane, CancellationToken stoppingToken)
    {
        await foreach (var queued in lane.ReadAllAsync(stoppingToken))
        {
            using var span = queued.Parent == default
                ? null
                : AetherTracing.Source.StartActivity("radius.accounting-request " + queued.Status, ActivityKind.Client, queued.Parent);
            span?.SetTag("aether.session_id", queued.SessionId);
            var delay = TimeSpan.FromSeconds(1);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _radius.AccountAsync(queued.Request, stoppingToken);
                    break;
                }
                catch (RadiusException ex)
                {
                    span?.AddEvent(new ActivityEvent("retry"));
                    LogAccountingRetry(queued.Status, queued.SessionId, ex.Message, delay.TotalSeconds);
                    await Task.Delay(delay, _time, stoppingToken);
                    delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
                }
            }
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Error, Message = "Accounting queue is full; Accounting-Request {Status} for session={SessionId} is lost")]
    private partial void LogQueueFull(string status, string sessionId);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Accounting-Request {Status} for session={SessionId} not answered ({Reason}); retrying in {DelaySeconds} s")]
    private partial void LogAccountingRetry(string status, string sessionId, string reason, double delaySeconds);

    private sealed record Queued(RadiusRequest Request, string Status, string SessionId, ActivityContext Parent);
}
