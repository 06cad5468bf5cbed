using System.Diagnostics;
using Aether.Events.Internal;
using Aether.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

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
        var publication = Prepare(e);
        using (publication.Activity)
        {
            await PublishWithRetriesAsync(publication, 1, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the event to the connection (in call order: the next call's message goes out after this one) and
    /// returns a task for its acknowledgement. An event that cannot even be written is published with retries before
    /// this returns, so nothing sent after it can overtake it; one whose acknowledgement fails is republished (the
    /// same message id) from the returned task.
    /// </summary>
    public async ValueTask<Task> SendAsync(AetherEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        var publication = Prepare(e);
        NatsJSPublishConcurrentFuture future;
        try
        {
            await EnsureStreamAsync(cancellationToken);
            future = await _js.PublishConcurrentAsync(publication.Subject, publication.Payload, opts: publication.Options,
                headers: publication.Headers(), cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            using (publication.Activity)
            {
                await RetryAfterAsync(publication, ex, 1, cancellationToken);
                await PublishWithRetriesAsync(publication, 2, cancellationToken);
            }

            return Task.CompletedTask;
        }
        catch
        {
            publication.Activity?.Dispose();
            throw;
        }

        return AcknowledgedAsync(publication, future, cancellationToken);
    }

    private async Task AcknowledgedAsync(Publication publication, NatsJSPublishConcurrentFuture future, CancellationToken cancellationToken)
    {
        using (publication.Activity)
        {
            try
            {
                await using (future)
                {
                    Accept(publication, await future.GetResponseAsync(cancellationToken), 1);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                await RetryAfterAsync(publication, ex, 1, cancellationToken);
                await PublishWithRetriesAsync(publication, 2, cancellationToken);
            }
        }
    }

    private Publication Prepare(AetherEvent e)
    {
        var subject = EventSubjects.For(_options, e);
        var messageId = e.MessageId;
        var activity = AetherTracing.Source.StartActivity("events.publish " + e.Type, ActivityKind.Producer);
        activity?.SetTag("messaging.destination.name", subject);
        activity?.SetTag("messaging.message.id", messageId);
        activity?.SetTag("aether.session_id", e.SessionId);
        // The ingestor continues the trace from this header.
        var traceparent = activity is null && Activity.Current is null ? null : AetherTracing.Traceparent(activity ?? Activity.Current);
        return new Publication(e.Type, subject, messageId, AetherEventJson.Serialize(e), traceparent, activity, _timeProvider.GetTimestamp());
    }

    private async ValueTask PublishWithRetriesAsync(Publication publication, int firstAttempt, CancellationToken cancellationToken)
    {
        for (var attempt = firstAttempt; ; attempt++)
        {
            try
            {
                await EnsureStreamAsync(cancellationToken);
                var ack = await _js.PublishAsync(publication.Subject, publication.Payload, headers: publication.Headers(), opts: publication.Options, cancellationToken: cancellationToken);
                Accept(publication, ack, attempt);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                await RetryAfterAsync(publication, ex, attempt, cancellationToken);
            }
        }
    }

    private void Accept(Publication publication, PubAckResponse ack, int attempt)
    {
        if (ack.Duplicate)
        {
            // The stream already holds this message id: the event is stored, which is all a publish promises.
            EventsLog.PublishDuplicate(_logger, publication.MessageId);
        }
        else
        {
            ack.EnsureSuccess();
        }

        if (attempt > 1)
        {
            EventsLog.PublishRecovered(_logger, publication.MessageId, attempt);
        }

        AetherMetrics.PublishDuration.Record(
            _timeProvider.GetElapsedTime(publication.Started).TotalSeconds, new KeyValuePair<string, object?>(AetherMetrics.TypeLabel, publication.Type));
    }

    /// <summary>After a failed attempt: counts and logs it, then waits the attempt's backoff.</summary>
    private async Task RetryAfterAsync(Publication publication, Exception ex, int attempt, CancellationToken cancellationToken)
    {
        // No responders or an API error can mean the stream is gone (deleted, or a server that lost its
        // store): make the next attempt create it again.
        if (ex is NatsJSApiException or NatsNoRespondersException)
        {
            _streamReady = false;
        }

        var delay = TimeSpan.FromTicks(Math.Min(_options.RetryDelay.Ticks << Math.Min(attempt - 1, 20), _options.MaxRetryDelay.Ticks));
        AetherMetrics.PublishFailures.Add(1, new KeyValuePair<string, object?>(AetherMetrics.TypeLabel, publication.Type));
        publication.Activity?.AddEvent(new ActivityEvent("retry"));
        EventsLog.PublishRetry(_logger, publication.MessageId, attempt, delay, ex);
        await Task.Delay(delay, _timeProvider, cancellationToken);
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

    /// <summary>One event on its way: what every attempt sends, and the span that covers them all.</summary>
    private sealed record Publication(string Type, string Subject, string MessageId, byte[] Payload, string? Traceparent, Activity? Activity, long Started)
    {
        public NatsJSPubOpts Options { get; } = new() { MsgId = MessageId };

        // Fresh for every attempt: the client adds Nats-Msg-Id to the headers it is given.
        public NatsHeaders? Headers() => Traceparent is null ? null : new NatsHeaders { [AetherTracing.TraceparentHeader] = Traceparent };
    }
}
