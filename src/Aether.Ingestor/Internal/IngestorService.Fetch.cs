using Aether.Storage;
using NATS.Client.JetStream;

namespace Aether.Ingestor.Internal;

internal sealed partial class IngestorService
{
    private async Task<Batch> FetchAsync(INatsJSConsumer consumer, CancellationToken ct)
    {
        var messages = new List<INatsJSMsg<byte[]>>(_options.BatchSize);
        await FetchBatchAsync(consumer, messages, ct);
        var records = new List<EventRecord>(messages.Count);
        var rejects = new List<RejectedEvent>();
        var sources = new List<EventSource>(messages.Count);
        foreach (var msg in messages)
        {
            var body = msg.Data ?? [];
            var streamSequence = msg.Metadata?.Sequence.Stream ?? 0;
            if (EventDecoder.TryDecode(body, out var record, out var error))
            {
                records.Add(record!);
                sources.Add(new EventSource(msg.Subject, (long)streamSequence));
            }
            else
            {
                IngestorLog.Rejected(_logger, streamSequence, msg.Subject, error!);
                rejects.Add(new RejectedEvent(msg.Subject, (long)streamSequence, error!, body));
            }
        }

        return new Batch(messages, records, rejects, sources);
    }

    /// <summary>
    /// Fills <paramref name="batch"/>: waits for a first message, then takes what is already waiting, topping up
    /// until the batch is full or <see cref="IngestorOptions.MaxWait"/> has passed since the first message. (A
    /// server-side wait shorter than a second is not possible, so the wait for more is done here with no-wait fetches.)
    /// </summary>
    private async Task FetchBatchAsync(INatsJSConsumer consumer, List<INatsJSMsg<byte[]>> batch, CancellationToken ct)
    {
        await foreach (var msg in consumer.FetchAsync<byte[]>(s_firstMessage, cancellationToken: ct))
        {
            batch.Add(msg);
        }

        if (batch.Count == 0)
        {
            return;
        }

        var first = _timeProvider.GetTimestamp();
        var poll = TimeSpan.FromTicks(Math.Max(_options.MaxWait.Ticks / 8, TimeSpan.TicksPerMillisecond));
        while (batch.Count < _options.BatchSize)
        {
            var before = batch.Count;
            var opts = new NatsJSFetchOpts { MaxMsgs = _options.BatchSize - batch.Count };
            try
            {
                await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(opts, cancellationToken: ct))
                {
                    batch.Add(msg);
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Write what has arrived; the next fetch reports the failure if it lasts.
                IngestorLog.TopUpFailed(_logger, batch.Count, ex);
                return;
            }

            var remaining = _options.MaxWait - _timeProvider.GetElapsedTime(first);
            if (batch.Count >= _options.BatchSize || remaining <= TimeSpan.Zero)
            {
                return;
            }

            if (batch.Count == before)
            {
                await Task.Delay(poll < remaining ? poll : remaining, _timeProvider, ct);
            }
        }
    }
}
