using System.Diagnostics;
using Aether.Events;
using Aether.Observability;
using NATS.Client.JetStream;

namespace Aether.Ingestor.Internal;

internal sealed partial class IngestorService
{
    // JetStream's NumPending as of the last delivered message: what the consumer has not been delivered yet.
    private static long s_consumerLag;

    static IngestorService() =>
        AetherMetrics.ConsumerLagSource.Bind(() => [new(Interlocked.Read(ref s_consumerLag))]);

    private static void ObserveLag(Batch batch)
    {
        var pending = batch.Messages.Count == 0 ? 0 : (long)(batch.Messages[^1].Metadata?.NumPending ?? 0);
        Interlocked.Exchange(ref s_consumerLag, pending);
    }

    /// <summary>
    /// Records the batch and, per message carrying W3C trace context (the controller's publish), a span in that
    /// trace covering the commit, so a subscriber's setup trace ends with its SESSION_START in PostgreSQL.
    /// </summary>
    private void RecordCommitted(Batch batch, long writeStarted)
    {
        var now = _timeProvider.GetUtcNow();
        var elapsed = _timeProvider.GetElapsedTime(writeStarted);
        AetherMetrics.IngestorBatchSize.Record(batch.Messages.Count);
        AetherMetrics.IngestorCommitDuration.Record(elapsed.TotalSeconds);
        foreach (var record in batch.Records)
        {
            if (record.Type == EventTypes.SessionStart)
            {
                var bng = new KeyValuePair<string, object?>(AetherMetrics.BngLabel, record.BngId);
                var delay = Math.Max(0, (now - record.Time).TotalSeconds);
                AetherMetrics.SessionStartCommitDelay.Record(delay, bng);
                if (record.Event?.SetupSeconds is { } setup)
                {
                    AetherMetrics.SessionSetupDuration.Record(setup + delay, bng);
                }
            }
        }

        if (!AetherTracing.Source.HasListeners())
        {
            return;
        }

        var start = now - elapsed;
        foreach (var msg in batch.Messages)
        {
            if (msg.Headers is null || !msg.Headers.TryGetValue(AetherTracing.TraceparentHeader, out var traceparent)
                || !ActivityContext.TryParse(traceparent.ToString(), null, out var parent))
            {
                continue;
            }

            using var span = AetherTracing.Source.StartActivity("ingestor.commit", ActivityKind.Consumer, parent, startTime: start);
            span?.SetTag("messaging.destination.name", msg.Subject);
            span?.SetTag("messaging.batch.message_count", batch.Messages.Count);
            span?.SetEndTime(now.UtcDateTime);
        }
    }
}
