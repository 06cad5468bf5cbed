using System.Diagnostics;
using Aether.Events.Internal;
using Aether.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.JetStream;

namespace Aether.Events;

/// <summary>
/// Publishes events to JetStream with their <see cref="AetherEvent.MessageId"/> as Nats-Msg-Id, so a republished
/// event inside the stream's duplicate window is stored once. The stream is created or updated before the first
/// publish. While NATS is unreachable it retries with capped exponential backoff until cancelled.
/// </summary>
public sealed class JetStreamEventPublisher : IEventPublisher, IDisposable
{
    private readonly INatsJSContext _js;
    private readonly EventStreamOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<JetStreamEventPublisher> _logger;
    private readonly SemaphoreSlim _streamLock = new(1, 1);
    private volatile bool _streamReady;

    public JetStreamEventPublisher(
        INatsJSContext js,
        IOptions<EventStreamOptions> options,
        TimeProvider timeProvider,
        ILogger<JetStreamEventPublisher> logger)
    {
        _js = js;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async ValueTask PublishAsync(AetherEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        var payload = AetherEventJson.Serialize(e);
        var subject = EventSubjects.For(_options, e);
        var messageId = e.MessageId;
        var pubOpts = new NatsJSPubOpts { MsgId = messageId };
        using var activity = AetherTracing.Source.StartActivity("events.publish " + e.Type, ActivityKind.Producer);
        activity?.SetTag("messaging.destination.name", subject);
        activity?.SetTag("messaging.message.id", messageId);
        activity?.SetTag("aether.session_id", e.SessionId);
        // The ingestor continues the trace from this header.
        var headers = activity is null && Activity.Current is null
            ? null
            : new NATS.Client.Core.NatsHeaders { [AetherTracing.TraceparentHeader] = AetherTracing.Traceparent(activity ?? Activity.Current) };
        var started = _timeProvider.GetTimestamp();
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await EnsureStreamAsync(cancellationToken);
                var ack = await _js.PublishAsync(subject, payload, headers: headers, opts: pubOpts, cancellationToken: cancellationToken);
                if (ack.Duplicate)
                {
                    // The stream already holds this message id: the event is stored, which is all a publish promises.
                    EventsLog.PublishDuplicate(_logger, messageId);
                }
                else
                {
                    ack.EnsureSuccess();
                }

                if (attempt > 1)
                {
                    EventsLog.PublishRecovered(_logger, messageId, attempt);
                }

                AetherMetrics.PublishDuration.Record(
                    _timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(AetherMetrics.TypeLabel, e.Type));
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // No responders or an API error can mean the stream is gone (deleted, or a server that lost its
                // store): make the next attempt create it again.
                if (ex is NatsJSApiException or NATS.Client.Core.NatsNoRespondersException)
                {
                    _streamReady = false;
                }

                AetherMetrics.PublishFailures.Add(1, new KeyValuePair<string, object?>(AetherMetrics.TypeLabel, e.Type));
                activity?.AddEvent(new ActivityEvent("retry"));
                EventsLog.PublishRetry(_logger, messageId, attempt, delay, ex);
                await Task.Delay(delay, _timeProvider, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Creates or updates the stream now rather than at the first publish.</summary>
    public async ValueTask EnsureStreamAsync(CancellationToken cancellationToken)
    {
        if (_streamReady)
        {
            return;
        }

        await _streamLock.WaitAsync(cancellationToken);
        try
        {
            if (!_streamReady)
            {
                await EventStreamTopology.EnsureStreamAsync(_js, _options, cancellationToken);
                _streamReady = true;
                EventsLog.StreamReady(_logger, _options.StreamName, EventSubjects.All(_options.SubjectPrefix));
            }
        }
        finally
        {
            _streamLock.Release();
        }
    }

    public void Dispose() => _streamLock.Dispose();
}
