using System.Collections.Concurrent;
using System.Collections.Immutable;
using Aether.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace Aether.GraphQL.Internal.Events;

/// <summary>
/// Feeds the GraphQL subscriptions of this server from NATS: one core subscription on the event stream's subjects
/// ("aether.events.&gt;") receives every event as it is published, whichever controller published it, and hands it to
/// the local subscribers. A core subscription is not durable; a subscription sees events from when it starts, which is
/// what a live view wants. Delivery to subscribers never blocks this loop: each subscriber queues or drops.
/// </summary>
internal sealed partial class EventHub : BackgroundService
{
    // Sessions whose last counters are remembered for rates; beyond this the memory is cleared (rates restart).
    private const int MaxTrackedSessions = 500_000;

    private readonly INatsConnection _nats;
    private readonly EventStreamOptions _stream;
    private readonly TimeProvider _time;
    private readonly ILogger<EventHub> _logger;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Time, long Up, long Down)> _lastCounters = new(StringComparer.Ordinal);
    private ImmutableArray<Action<LiveEvent>> _subscribers = [];

    public EventHub(INatsConnection nats, IOptions<EventStreamOptions> stream, TimeProvider time, ILogger<EventHub> logger)
    {
        _nats = nats;
        _stream = stream.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes once the NATS subscription is in place (the server has it).</summary>
    public Task Subscribed => _subscribed.Task;

    public int SubscriberCount => _subscribers.Length;

    /// <summary>The events for which <paramref name="select"/> returns a value, as they arrive.</summary>
    public IObservable<T> Observe<T>(Func<LiveEvent, T?> select)
        where T : class => new HubObservable<T>(this, select);

    private IDisposable Add(Action<LiveEvent> subscriber)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Add(subscriber);
        }

        return new Registration(this, subscriber);
    }

    private void Remove(Action<LiveEvent> subscriber)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Remove(subscriber);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subject = EventSubjects.All(_stream.SubjectPrefix);
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var subscription = await _nats.SubscribeCoreAsync<byte[]>(subject, cancellationToken: stoppingToken);
                await _nats.PingAsync(stoppingToken);
                _subscribed.TrySetResult();
                LogSubscribed(subject);
                delay = TimeSpan.FromMilliseconds(200);
                await foreach (var message in subscription.Msgs.ReadAllAsync(stoppingToken))
                {
                    Dispatch(message.Subject, message.Data);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogSubscriptionFailed(subject, delay, ex);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    internal void Dispatch(string subject, byte[]? data)
    {
        var subscribers = _subscribers;
        if (subscribers.IsEmpty || data is null)
        {
            return;
        }

        AetherEvent e;
        try
        {
            e = AetherEventJson.Deserialize(data);
        }
        catch (System.Text.Json.JsonException ex)
        {
            LogUnreadableEvent(subject, ex.Message);
            return;
        }

        var live = new LiveEvent(e, Traffic(e), Health(e));
        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber(live);
            }
            catch (Exception ex)
            {
                LogSubscriberFailed(e.Type, ex);
            }
        }
    }

    private TrafficUpdate? Traffic(AetherEvent e)
    {
        if (e.SessionId is null || e.Counters is null || e.Type is not (EventTypes.SessionUpdate or EventTypes.SessionStop))
        {
            return null;
        }

        var c = e.Counters;
        double? up = null, down = null;
        if (_lastCounters.TryGetValue(e.SessionId, out var last) && e.Time > last.Time)
        {
            var seconds = (e.Time - last.Time).TotalSeconds;
            up = Math.Max(0, c.BytesUp - last.Up) * 8 / seconds;
            down = Math.Max(0, c.BytesDown - last.Down) * 8 / seconds;
        }

        var final = e.Type == EventTypes.SessionStop;
        if (final)
        {
            _lastCounters.TryRemove(e.SessionId, out _);
        }
        else if (last == default || e.Time > last.Time)
        {
            if (_lastCounters.Count >= MaxTrackedSessions)
            {
                _lastCounters.Clear();
            }

            _lastCounters[e.SessionId] = (e.Time, c.BytesUp, c.BytesDown);
        }

        return new TrafficUpdate(e.SessionId, e.BngId, e.Time, c.BytesUp, c.BytesDown, c.PacketsUp, c.PacketsDown, up, down, final);
    }

    private static BngHealthReport? Health(AetherEvent e) => e is { Type: EventTypes.BngHealthUpdate, Health: { } h }
        ? new BngHealthReport(e.BngId, e.InstanceId, e.Time, h.CpuPercent, h.MemoryBytes, h.MemoryLimitBytes, h.SessionCount)
        : null;

    private sealed class Registration(EventHub hub, Action<LiveEvent> subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Remove(subscriber);
            }
        }
    }

    private sealed class HubObservable<T>(EventHub hub, Func<LiveEvent, T?> select) : IObservable<T>
        where T : class
    {
        public IDisposable Subscribe(IObserver<T> observer) => hub.Add(e =>
        {
            if (select(e) is { } value)
            {
                observer.OnNext(value);
            }
        });
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "GraphQL subscriptions fed from NATS subject {Subject}")]
    private partial void LogSubscribed(string subject);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "NATS subscription to {Subject} failed; retrying in {Delay}")]
    private partial void LogSubscriptionFailed(string subject, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Event on {Subject} is not readable and was skipped: {Reason}")]
    private partial void LogUnreadableEvent(string subject, string reason);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "A subscriber failed to take a {Type} event")]
    private partial void LogSubscriberFailed(string type, Exception exception);
}
