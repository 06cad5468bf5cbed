using System.Collections.Concurrent;
using Aether.Dhcp;
using Aether.Simulator.Reporting;

namespace Aether.Simulator.Load;

/// <summary>What the progress line shows.</summary>
internal readonly record struct ProgressSnapshot(
    TimeSpan Elapsed,
    string Phase,
    long Started,
    long Bound,
    long Failed,
    long InFlight,
    long Released,
    double RecentRate,
    double P50Milliseconds,
    double P99Milliseconds,
    TimeSpan? HoldLeft = null);

/// <summary>
/// Drives every synthetic subscriber's <see cref="DoraSession"/> from one thread: admits new exchanges through a
/// token bucket and a cap on exchanges in flight, takes replies from the transport's thread through a queue,
/// fires retransmission and release deadlines from a priority queue, and ends by itself: admission stops at the
/// schedule's end or the duration cap, in-flight exchanges drain within their own retry budget, the hold lasts at
/// most its length (<see cref="HoldHooks"/> may end it sooner), and the release phase is paced and capped.
/// </summary>
internal sealed partial class LoadEngine
{
    /// <summary>The low bits of every xid carry the subscriber's slot, so a reply finds its session without a map.</summary>
    public const int SlotBits = 20;

    public const int MaxSubscribers = 1 << SlotBits;

    private const uint SlotMask = MaxSubscribers - 1;
    private const int GenerationValues = 1 << (32 - SlotBits);
    private static readonly TimeSpan s_maxWait = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_minReleasePhase = TimeSpan.FromSeconds(30);

    private readonly EngineSettings _settings;
    private readonly SubscriberSchedule _schedule;
    private readonly ClientMessages _messages;
    private readonly IDhcpTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<ProgressSnapshot>? _progress;
    private readonly HoldHooks? _hold;
    private readonly DoraSession[] _sessions;
    private readonly ulong[] _macKeys;
    private readonly ConcurrentQueue<DoraReply> _replies = new();
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 0);
    private readonly PriorityQueue<int, long> _deadlines = new();
    private readonly LoadCounters _counters = new();
    private readonly LatencyHistogram _latency = new();
    private readonly List<TimelineSecond> _timeline = [];
    private readonly Random _random;
    private readonly byte[] _payload = new byte[DhcpRelay.MaxMessageSize];
    private readonly long _frequency;
    private readonly DoraTiming _timing;
    private long _start;
    private long _inFlight;
    private long _firstStartAt = long.MaxValue;
    private long _lastBoundAt;
    private long _sendErrorsLogged;
    private long _nextHoldPoll;
    private bool _starved;
    private int _sleeping;

    public LoadEngine(
        EngineSettings settings,
        SubscriberSchedule schedule,
        ClientMessages messages,
        IDhcpTransport transport,
        TimeProvider time,
        ILogger logger,
        Action<ProgressSnapshot>? progress = null,
        HoldHooks? hold = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Subscribers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.Subscribers, MaxSubscribers);
        _settings = settings;
        _schedule = schedule;
        _messages = messages;
        _transport = transport;
        _time = time;
        _logger = logger;
        _progress = progress;
        _hold = hold;
        _frequency = time.TimestampFrequency;
        _timing = new DoraTiming(Ticks(settings.Timeout), settings.Retries);
        _random = new Random(settings.Seed);
        _sessions = new DoraSession[settings.Subscribers];
        _macKeys = new ulong[settings.Subscribers];
        for (int slot = 0; slot < _sessions.Length; slot++)
        {
            _sessions[slot] = new DoraSession(slot);
            _macKeys[slot] = messages.Plan.MacKey(slot);
        }
    }

    /// <summary>Passes of the main loop so far: each sleeps until there is something to do, so tests bound them by the run's events.</summary>
    public long LoopPasses { get; private set; }

    private enum Phase
    {
        Admitting,
        Draining,
        Holding,
        Releasing,
        Done,
    }

    public LoadResult Run(CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.Register(_signal.Set);
        _start = _time.GetTimestamp();
        long admitUntil = _start + Ticks(_settings.Duration);
        var admission = new TokenBucket(_settings.Rate, _settings.Burst, _frequency, _start);
        TokenBucket? releasePacer = null;
        var phase = Phase.Admitting;
        long phaseDeadline = long.MaxValue;
        var toRelease = new Queue<int>();
        // Without a progress line (--quiet) nothing is due for it: a time left at the start would end every wait at once.
        long nextProgress = _progress is null ? long.MaxValue : _start;
        long progressBound = 0;
        long progressAt = _start;
        bool cancelled = false;

        LogStarting(_transport.Description, _settings.Subscribers, admission.ToString(), _settings.Concurrency);
        _transport.Start(OnReply);

        while (phase != Phase.Done)
        {
            LoopPasses++;
            _signal.Reset();
            long now = _time.GetTimestamp();
            while (_replies.TryDequeue(out var reply))
            {
                HandleReply(reply);
            }

            FireDeadlines(now);

            if (cancellationToken.IsCancellationRequested && !cancelled)
            {
                cancelled = true;
                LogInterrupted(_counters.Bound, _inFlight);
                AbandonInFlight(DoraFailure.Cancelled, now);
                if (phase == Phase.Admitting)
                {
                    phase = Phase.Draining;
                }
                else if (phase == Phase.Holding)
                {
                    phaseDeadline = now;
                }
            }

            if (phase == Phase.Holding && now < phaseDeadline && HoldEndsEarly(now))
            {
                LogHoldEnded(_time.GetElapsedTime(now, phaseDeadline).TotalSeconds);
                phaseDeadline = now;
            }

            switch (phase)
            {
                case Phase.Admitting when now >= admitUntil || _schedule.Exhausted:
                    phase = Phase.Draining;
                    phaseDeadline = now + Ticks(_settings.LongestExchange + _settings.Timeout);
                    LogPhase("draining", _inFlight);
                    break;
                case Phase.Admitting:
                    Admit(admission, now);
                    break;
                case Phase.Draining when _inFlight == 0 || now >= phaseDeadline:
                    AbandonInFlight(DoraFailure.Cancelled, now);
                    bool releaseAtEnd = _settings.Release != ReleaseMode.None && _counters.CurrentlyBound > 0;
                    phase = releaseAtEnd ? Phase.Holding : Phase.Done;
                    phaseDeadline = now + (cancelled ? 0 : Ticks(_settings.Hold));
                    if (phase == Phase.Holding && phaseDeadline > now)
                    {
                        LogPhase("holding", _counters.CurrentlyBound);
                        _hold?.Began?.Invoke(_sessions);
                        _nextHoldPoll = _time.GetTimestamp();
                    }

                    break;
                case Phase.Holding when now >= phaseDeadline:
                    foreach (var session in _sessions)
                    {
                        if (session.State == DoraState.Bound)
                        {
                            toRelease.Enqueue(session.Slot);
                        }
                    }

                    double releaseRate = _settings.ReleaseRate;
                    releasePacer = new TokenBucket(releaseRate, TokenBucket.DefaultBurst(releaseRate), _frequency, now);
                    var budget = TimeSpan.FromSeconds(toRelease.Count / Math.Max(1, releaseRate) * 2);
                    phaseDeadline = now + Ticks(budget > s_minReleasePhase ? budget : s_minReleasePhase);
                    phase = Phase.Releasing;
                    LogPhase("releasing", toRelease.Count);
                    break;
                case Phase.Releasing:
                    while (toRelease.Count > 0 && now < phaseDeadline && releasePacer!.TryTake(now))
                    {
                        var session = _sessions[toRelease.Dequeue()];
                        Execute(session, session.Release(), now);
                    }

                    if (toRelease.Count == 0 || now >= phaseDeadline)
                    {
                        phase = Phase.Done;
                    }

                    break;
            }

            if (_progress is not null && now >= nextProgress)
            {
                double seconds = (now - progressAt) / (double)_frequency;
                _progress(Snapshot(now, phase, seconds > 0 ? (_counters.Bound - progressBound) / seconds : 0, phaseDeadline));
                progressBound = _counters.Bound;
                progressAt = now;
                nextProgress = now + Ticks(_settings.ProgressInterval);
            }

            if (phase != Phase.Done)
            {
                Wait(phase, now, admission, releasePacer, nextProgress, phaseDeadline, admitUntil);
            }
        }

        long end = _time.GetTimestamp();
        _progress?.Invoke(Snapshot(end, Phase.Done, 0));
        LogFinished(_counters.Bound, _counters.Failed, _counters.Released);
        return new LoadResult
        {
            Counters = _counters,
            Latency = _latency,
            Timeline = _timeline,
            Sessions = _sessions,
            SetupWindow = _counters.Bound > 0 ? _time.GetElapsedTime(_firstStartAt, _lastBoundAt) : TimeSpan.Zero,
            Elapsed = _time.GetElapsedTime(_start, end),
            Cancelled = cancelled,
            IgnoredFrames = _transport.Ignored,
        };
    }

    /// <summary>Asks the hooks, at most every <see cref="HoldHooks.PollInterval"/>, whether the hold may end now.</summary>
    private bool HoldEndsEarly(long now)
    {
        if (_hold?.EndsEarly is not { } endsEarly || now < _nextHoldPoll)
        {
            return false;
        }

        _nextHoldPoll = now + Ticks(HoldHooks.PollInterval);
        return endsEarly();
    }

    private void OnReply(DoraReply reply)
    {
        _replies.Enqueue(reply);
        // Wake the engine only when it sleeps: at high rates it is already draining the queue.
        if (Volatile.Read(ref _sleeping) != 0)
        {
            _signal.Set();
        }
    }

    private void Admit(TokenBucket admission, long now)
    {
        _starved = false;
        while (_inFlight < _settings.Concurrency && admission.NextTokenAt(now) <= now)
        {
            if (!_schedule.TryNext(out int slot))
            {
                // Churn with every subscriber joined: wait for a release rather than spin.
                _starved = true;
                return;
            }

            _ = admission.TryTake(now);
            var session = _sessions[slot];
            uint xid = ((uint)_random.Next(GenerationValues) << SlotBits) | (uint)slot;
            _inFlight++;
            _counters.Started++;
            Second(now).Started++;
            _firstStartAt = Math.Min(_firstStartAt, now);
            Execute(session, session.Begin(xid, now, _timing), now);
        }
    }

    private void HandleReply(in DoraReply reply)
    {
        uint slot = reply.TransactionId & SlotMask;
        if (slot >= _sessions.Length || _macKeys[slot] != reply.ClientMac || _sessions[slot].TransactionId != reply.TransactionId)
        {
            _counters.UnmatchedReplies++;
            return;
        }

        switch (reply.Type)
        {
            case DhcpMessageType.Offer:
                _counters.Offers++;
                break;
            case DhcpMessageType.Ack:
                _counters.Acks++;
                break;
            default:
                _counters.Naks++;
                break;
        }

        var session = _sessions[slot];
        var action = session.OnReply(reply, _timing, out var disposition);
        switch (disposition)
        {
            case ReplyDisposition.Late:
                _counters.LateReplies++;
                break;
            case ReplyDisposition.Malformed:
                _counters.MalformedReplies++;
                break;
        }

        Execute(session, action, reply.ReceivedAt);
    }

    private void FireDeadlines(long now)
    {
        while (_deadlines.TryPeek(out int slot, out long due) && due <= now)
        {
            _deadlines.Dequeue();
            var session = _sessions[slot];
            if (session.Deadline != due)
            {
                continue; // superseded by a reply or a later retransmission
            }

            var action = session.OnDeadline(now, _timing);
            if (action == DoraAction.SendDiscover && session.Attempts > 1)
            {
                _counters.DiscoverRetransmitted++;
            }
            else if (action == DoraAction.SendRequest && session.Attempts > 1)
            {
                _counters.RequestRetransmitted++;
            }

            Execute(session, action, now);
        }
    }

    private void Execute(DoraSession session, DoraAction action, long now)
    {
        switch (action)
        {
            case DoraAction.SendDiscover:
            case DoraAction.SendRequest:
                var type = action == DoraAction.SendDiscover ? DhcpMessageType.Discover : DhcpMessageType.Request;
                ushort seconds = (ushort)Math.Min(ushort.MaxValue, (now - session.StartedAt) / _frequency);
                int length = type == DhcpMessageType.Discover
                    ? _messages.WriteDiscover(session, seconds, _payload)
                    : _messages.WriteRequest(session, seconds, _payload);
                if (!Send(session, type, length))
                {
                    Execute(session, session.Fail(DoraFailure.SendError), now);
                    return;
                }

                if (type == DhcpMessageType.Discover)
                {
                    _counters.DiscoverSent++;
                }
                else
                {
                    _counters.RequestSent++;
                }

                _deadlines.Enqueue(session.Slot, session.Deadline);
                break;

            case DoraAction.SendRelease:
                if (Send(session, DhcpMessageType.Release, _messages.WriteRelease(session, _payload)))
                {
                    _counters.Released++;
                    Second(now).Released++;
                }

                _counters.CurrentlyBound--;
                _schedule.OnIdle(session.Slot);
                break;

            case DoraAction.Bound:
                _inFlight--;
                _counters.Bound++;
                _counters.CurrentlyBound++;
                _counters.PeakBound = Math.Max(_counters.PeakBound, _counters.CurrentlyBound);
                _lastBoundAt = Math.Max(_lastBoundAt, session.BoundAt);
                Second(session.BoundAt).Bound++;
                _latency.Record(session.Latency * 1_000_000 / _frequency);
                if (_settings.Release != ReleaseMode.None && _schedule.ReleaseAt(session.Slot, now) is { } at)
                {
                    if (at <= now)
                    {
                        Execute(session, session.Release(), now);
                    }
                    else
                    {
                        session.ScheduleRelease(at);
                        _deadlines.Enqueue(session.Slot, at);
                    }
                }

                break;

            case DoraAction.Failed:
                _inFlight--;
                _counters.Failures[(int)session.Failure]++;
                Second(now).Failed++;
                _schedule.OnIdle(session.Slot);
                break;
        }
    }

    private bool Send(DoraSession session, DhcpMessageType type, int length)
    {
        if (_transport.Send(session, type, _payload.AsSpan(0, length)))
        {
            return true;
        }

        if (_sendErrorsLogged++ < 10)
        {
            LogSendFailed(type.ToString(), SubscriberPlan.FormatMac(_messages.Plan.Mac(session.Slot)));
        }

        return false;
    }

    private void AbandonInFlight(DoraFailure failure, long now)
    {
        if (_inFlight == 0)
        {
            return;
        }

        foreach (var session in _sessions)
        {
            if (session.IsInFlight)
            {
                Execute(session, session.Fail(failure), now);
            }
        }
    }

    private void Wait(Phase phase, long now, TokenBucket admission, TokenBucket? releasePacer, long nextProgress, long phaseDeadline, long admitUntil)
    {
        long until = Math.Min(now + Ticks(s_maxWait), nextProgress);
        if (_deadlines.TryPeek(out _, out long due))
        {
            until = Math.Min(until, due);
        }

        switch (phase)
        {
            case Phase.Admitting:
                until = Math.Min(until, admitUntil);
                if (_inFlight < _settings.Concurrency && !_starved)
                {
                    until = Math.Min(until, admission.NextTokenAt(now));
                }

                break;
            case Phase.Releasing:
                until = Math.Min(until, releasePacer!.NextTokenAt(now));
                break;
            default:
                until = Math.Min(until, phaseDeadline);
                break;
        }

        if (until <= now)
        {
            return;
        }

        // Millisecond waits: at high rates the bucket banks a few tokens and they go out together.
        int milliseconds = (int)Math.Max(1, (until - now) * 1000 / _frequency);
        Interlocked.Exchange(ref _sleeping, 1); // a full fence: the queue is read after the flag is seen
        if (_replies.IsEmpty)
        {
            _signal.Wait(milliseconds);
        }

        Volatile.Write(ref _sleeping, 0);
    }

    private ProgressSnapshot Snapshot(long now, Phase phase, double recentRate, long phaseDeadline = long.MaxValue) => new(
        _time.GetElapsedTime(_start, now),
        phase.ToString().ToLowerInvariant(),
        _counters.Started,
        _counters.Bound,
        _counters.Failed,
        _inFlight,
        _counters.Released,
        recentRate,
        _latency.ValueAtPercentile(50) / 1000.0,
        _latency.ValueAtPercentile(99) / 1000.0,
        phase == Phase.Holding ? _time.GetElapsedTime(now, Math.Max(now, phaseDeadline)) : null);

    private TimelineSecond Second(long at)
    {
        int index = (int)Math.Max(0, (at - _start) / _frequency);
        while (_timeline.Count <= index)
        {
            _timeline.Add(new TimelineSecond());
        }

        return _timeline[index];
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _frequency);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Starting {Subscribers} subscribers over {Transport}, rate {Rate}, at most {Concurrency} in flight")]
    private partial void LogStarting(string transport, int subscribers, string rate, int concurrency);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Phase {Phase} ({Count} subscribers concerned)")]
    private partial void LogPhase(string phase, long count);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Could not send {Type} for MAC {Mac}")]
    private partial void LogSendFailed(string type, string mac);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Interrupted with {Bound} bound and {InFlight} in flight; releasing what is bound")]
    private partial void LogInterrupted(long bound, long inFlight);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Finished: {Bound} bound, {Failed} failed, {Released} released")]
    private partial void LogFinished(long bound, long failed, long released);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Hold ended early, {Seconds:0.0} s before its end")]
    private partial void LogHoldEnded(double seconds);
}
