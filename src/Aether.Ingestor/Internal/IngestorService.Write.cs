using System.Text;
using Aether.Storage;
using NATS.Client.JetStream;
using Npgsql;

namespace Aether.Ingestor.Internal;

internal sealed partial class IngestorService
{
    /// <summary>Writes the batch, retrying until it commits or the host stops.</summary>
    private async Task WriteAsync(Batch batch, CancellationToken ct)
    {
        var (messages, records, rejects, sources) = batch;
        var delay = _options.RetryDelay;
        var failures = 0;
        var lastProgress = _timeProvider.GetTimestamp();
        while (true)
        {
            try
            {
                var result = await AppendIsolatingBadEventsAsync(records, sources, rejects, ct);
                IngestorLog.Committed(_logger, result.Inserted, result.Duplicates, result.Rejected);
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                failures++;
                if (failures < StallFailures)
                {
                    IngestorLog.WriteFailed(_logger, messages.Count, delay, ex);
                }
                else
                {
                    // Still failing: an operator must look (the database is down for long, or refuses every write).
                    IngestorLog.WriteStalled(_logger, messages.Count, failures, ex);
                }

                await Task.Delay(delay, _timeProvider, ct);
                delay = NextDelay(delay);
                if (_timeProvider.GetElapsedTime(lastProgress) > _options.AckWait / 3)
                {
                    await SignalProgressAsync(messages, ct);
                    lastProgress = _timeProvider.GetTimestamp();
                }
            }
        }
    }

    /// <summary>
    /// Appends the batch; when PostgreSQL refuses it for its data (a data exception or constraint, SQLSTATE class 22
    /// or 23) the batch is split until the offending events are found, and those are set aside as rejects.
    /// </summary>
    private async Task<AppendResult> AppendIsolatingBadEventsAsync(
        List<EventRecord> records, List<EventSource> sources, List<RejectedEvent> rejects, CancellationToken ct)
    {
        try
        {
            return await _writer.AppendAsync(records, rejects, ct);
        }
        catch (PostgresException ex) when (IsDataError(ex) && records.Count > 0)
        {
            if (records.Count == 1)
            {
                IngestorLog.SetAside(_logger, sources[0].Sequence, ex.MessageText);
                var reject = new RejectedEvent(
                    sources[0].Subject, sources[0].Sequence, $"{ex.SqlState}: {ex.MessageText}", Encoding.UTF8.GetBytes(records[0].PayloadJson));
                return await _writer.AppendAsync([], [.. rejects, reject], ct);
            }

            var half = records.Count / 2;
            var first = await AppendIsolatingBadEventsAsync(records[..half], sources[..half], rejects, ct);
            var second = await AppendIsolatingBadEventsAsync(records[half..], sources[half..], [], ct);
            return new AppendResult(first.Inserted + second.Inserted, first.Duplicates + second.Duplicates, first.Rejected + second.Rejected);
        }
    }

    private static bool IsDataError(PostgresException ex) =>
        ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);

    private async Task SignalProgressAsync(List<INatsJSMsg<byte[]>> batch, CancellationToken ct)
    {
        try
        {
            foreach (var msg in batch)
            {
                await msg.AckProgressAsync(cancellationToken: ct);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Without progress the batch is redelivered later and its repeats skipped; nothing is lost.
            IngestorLog.AckFailed(_logger, batch.Count, ex);
        }
    }

    private async Task AckAsync(List<INatsJSMsg<byte[]>> batch, CancellationToken ct)
    {
        try
        {
            foreach (var msg in batch)
            {
                await msg.AckAsync(cancellationToken: ct);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            IngestorLog.AckFailed(_logger, batch.Count, ex);
        }
    }
}
