using System.Text;
using Aether.Events;
using Aether.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;

namespace Aether.Ingestor.Internal;

/// <summary>
/// Fetches batches from the durable pull consumer, writes each batch in one transaction, and acknowledges its
/// messages only after the commit. A batch whose write fails is held and retried (with progress signalled to the
/// server so it is not redelivered meanwhile) rather than skipped, so one process applies events in stream order;
/// redeliveries after a crash are skipped by the log's idempotency key.
/// </summary>
internal sealed partial class IngestorService : BackgroundService
{
    private readonly INatsJSContext _js;
    private readonly EventLogWriter _writer;
    private readonly SchemaMigrator _migrator;
    private readonly EventStreamOptions _stream;
    private readonly IngestorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<IngestorService> _logger;

    public IngestorService(
        INatsJSContext js,
        EventLogWriter writer,
        SchemaMigrator migrator,
        IOptions<EventStreamOptions> stream,
        IOptions<IngestorOptions> options,
        TimeProvider timeProvider,
        IHostApplicationLifetime lifetime,
        ILogger<IngestorService> logger)
    {
        _js = js;
        _writer = writer;
        _migrator = migrator;
        _stream = stream.Value;
        _options = options.Value;
        _timeProvider = timeProvider;
        _lifetime = lifetime;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        try
        {
            await _migrator.Ready.WaitAsync(stoppingToken);
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            IngestorLog.Fatal(_logger, ex);
            _lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var consumer = await SetUpConsumerAsync(ct);
        IngestorLog.Started(_logger, _stream.StreamName, _options.Durable, _options.BatchSize);

        var fetchOpts = new NatsJSFetchOpts { MaxMsgs = _options.BatchSize, Expires = _options.MaxWait };
        var batch = new List<INatsJSMsg<byte[]>>(_options.BatchSize);
        var delay = _options.RetryDelay;
        while (!ct.IsCancellationRequested)
        {
            batch.Clear();
            try
            {
                await foreach (var msg in consumer.FetchAsync<byte[]>(fetchOpts, cancellationToken: ct))
                {
                    batch.Add(msg);
                }

                delay = _options.RetryDelay;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Messages fetched before the failure are not acknowledged; they are redelivered after AckWait.
                IngestorLog.FetchFailed(_logger, delay, ex);
                await Task.Delay(delay, _timeProvider, ct);
                delay = NextDelay(delay);
                consumer = await SetUpConsumerAsync(ct);
                continue;
            }

            if (batch.Count > 0)
            {
                await WriteAsync(batch, ct);
                await AckAsync(batch, ct);
            }
        }
    }

    /// <summary>Creates or updates the stream and the durable consumer, retrying until NATS answers.</summary>
    private async Task<INatsJSConsumer> SetUpConsumerAsync(CancellationToken ct)
    {
        var delay = _options.RetryDelay;
        while (true)
        {
            try
            {
                await EventStreamTopology.EnsureStreamAsync(_js, _stream, ct);
                return await _js.CreateOrUpdateConsumerAsync(_stream.StreamName, ConsumerConfig(), ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                IngestorLog.SetupFailed(_logger, delay, ex);
                await Task.Delay(delay, _timeProvider, ct);
                delay = NextDelay(delay);
            }
        }
    }

    internal ConsumerConfig ConsumerConfig() => new(_options.Durable)
    {
        DurableName = _options.Durable,
        Description = "Aether ingestor: event log and read models",
        AckPolicy = ConsumerConfigAckPolicy.Explicit,
        AckWait = _options.AckWait,
        MaxAckPending = _options.MaxAckPending,
        DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        FilterSubject = EventSubjects.All(_stream.SubjectPrefix),
        MaxDeliver = -1,
    };

    /// <summary>Writes the batch, retrying until it commits or the host stops.</summary>
    private async Task WriteAsync(List<INatsJSMsg<byte[]>> batch, CancellationToken ct)
    {
        var records = new List<EventRecord>(batch.Count);
        var rejects = new List<RejectedEvent>();
        var sources = new List<EventSource>(batch.Count);
        foreach (var msg in batch)
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

        var delay = _options.RetryDelay;
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
                IngestorLog.WriteFailed(_logger, batch.Count, delay, ex);
                await Task.Delay(delay, _timeProvider, ct);
                delay = NextDelay(delay);
                if (_timeProvider.GetElapsedTime(lastProgress) > _options.AckWait / 3)
                {
                    await SignalProgressAsync(batch, ct);
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

    private TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));

    private readonly record struct EventSource(string Subject, long Sequence);
}
