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
/// server so it is not redelivered meanwhile) rather than skipped, so events are applied in stream order as far as
/// delivery allows; repeats are skipped by the log's idempotency key and late ones are projected as if on time.
/// Split by concern: the loop here, fetching in IngestorService.Fetch.cs, writing in IngestorService.Write.cs.
/// </summary>
internal sealed partial class IngestorService : BackgroundService
{
    // Consecutive failed writes of one batch after which the log says the ingestor is stalled.
    private const int StallFailures = 10;

    // Waits server-side for the first message of a batch; an idle ingestor re-asks every few seconds.
    private static readonly NatsJSFetchOpts s_firstMessage = new() { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(5) };

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

        // The next batch is fetched and decoded while the current one is written: NATS and the decoding use the
        // CPU PostgreSQL leaves idle. Writes stay one at a time, in stream order.
        var next = FetchAsync(consumer, ct);
        var delay = _options.RetryDelay;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Batch batch;
                try
                {
                    batch = await next;
                    delay = _options.RetryDelay;
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // Messages fetched before the failure are not acknowledged; they are redelivered after AckWait.
                    IngestorLog.FetchFailed(_logger, delay, ex);
                    await Task.Delay(delay, _timeProvider, ct);
                    delay = NextDelay(delay);
                    consumer = await SetUpConsumerAsync(ct);
                    next = FetchAsync(consumer, ct);
                    continue;
                }

                next = FetchAsync(consumer, ct);
                ObserveLag(batch);
                if (batch.Messages.Count > 0)
                {
                    var writeStarted = _timeProvider.GetTimestamp();
                    await WriteAsync(batch, ct);
                    RecordCommitted(batch, writeStarted);
                    await AckAsync(batch.Messages, ct);
                }
            }
        }
        finally
        {
            // Observe the fetch in flight at shutdown; its messages are redelivered to whoever consumes next.
            await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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

    internal ConsumerConfig ConsumerConfig() => CreateConsumerConfig(_options, _stream);

    internal static ConsumerConfig CreateConsumerConfig(IngestorOptions options, EventStreamOptions stream) => new(options.Durable)
    {
        DurableName = options.Durable,
        Description = "Aether ingestor: event log and read models",
        AckPolicy = ConsumerConfigAckPolicy.Explicit,
        AckWait = options.AckWait,
        MaxAckPending = options.MaxAckPending,
        DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        FilterSubject = EventSubjects.All(stream.SubjectPrefix),
        MaxDeliver = -1,
    };

    private TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));

    private readonly record struct EventSource(string Subject, long Sequence);

    private sealed record Batch(
        List<INatsJSMsg<byte[]>> Messages, List<EventRecord> Records, List<RejectedEvent> Rejects, List<EventSource> Sources);
}
