using System.Globalization;
using Aether.Events;
using Aether.Ingestor.Internal;
using Aether.Ingestor.Tests.Support;
using Aether.Storage;
using Aether.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Aether.Ingestor.Tests;

/// <summary>At-least-once delivery, exactly-once effect.</summary>
[Collection(PipelineCollection.Name)]
public sealed class DeliveryTests(PostgresServer postgres, NatsServer nats) : PipelineTestBase(postgres, nats)
{
    private const int Sessions = 20;

    [Fact]
    public async Task Republishing_with_the_same_message_id_stores_the_event_once()
    {
        var host = await StartHostAsync();
        var events = Lifecycles.Build(new SessionScript(), Sessions);

        await PublishAllAsync(host, events);
        await PublishAllAsync(host, events);

        var js = host.Services.GetRequiredService<INatsJSContext>();
        var stream = await js.GetStreamAsync(StreamName).AsTask().WaitAsync(Timeout);
        Assert.Equal(events.Count, (int)stream.Info.State.Messages);
        await WaitForConsumerDrainedAsync(host);
        await AssertExactlyOnceAsync(events.Count);
        Log.AssertNoErrors();
    }

    [Fact]
    public async Task An_event_delivered_twice_past_the_duplicate_window_has_one_effect()
    {
        var host = await StartHostAsync();
        var events = Lifecycles.Build(new SessionScript(), Sessions);
        await PublishAllAsync(host, events);

        // As if republished after the duplicate window: same event, a message id JetStream has not seen.
        var js = host.Services.GetRequiredService<INatsJSContext>();
        var options = new EventStreamOptions { SubjectPrefix = SubjectPrefix };
        foreach (var e in events)
        {
            var ack = await js.PublishAsync(EventSubjects.For(options, e), AetherEventJson.Serialize(e),
                opts: new NatsJSPubOpts { MsgId = e.MessageId + ".again" }).AsTask().WaitAsync(Timeout);
            Assert.False(ack.Duplicate);
        }

        await WaitForConsumerDrainedAsync(host);
        await AssertExactlyOnceAsync(events.Count);
        Log.AssertNoErrors();
    }

    [Fact]
    public async Task A_batch_fetched_and_never_acknowledged_is_redelivered_and_applied_once()
    {
        var publisherHost = await StartHostAsync(ingest: false);
        var events = Lifecycles.Build(new SessionScript(), Sessions);
        await PublishAllAsync(publisherHost, events);

        // A consumer takes half the events on the ingestor's durable and vanishes without acknowledging them.
        var taken = await FetchWithoutAckAsync(publisherHost, events.Count / 2);
        Assert.Equal(events.Count / 2, taken.Count);

        var host = await StartHostAsync(ackWait: TimeSpan.FromSeconds(2));
        await WaitForConsumerDrainedAsync(host);
        await AssertExactlyOnceAsync(events.Count);
        await AssertRedeliveredAsync(host, events.Count);
        Log.AssertNoErrors();
    }

    [Fact]
    public async Task An_ingestor_killed_between_commit_and_ack_has_no_double_effect()
    {
        var publisherHost = await StartHostAsync(ingest: false);
        var events = Lifecycles.Build(new SessionScript(), Sessions);
        await PublishAllAsync(publisherHost, events);

        // What an ingestor does up to its commit, and then it dies: the batch is in PostgreSQL, the acks never sent.
        var taken = await FetchWithoutAckAsync(publisherHost, events.Count / 2);
        var records = taken.Select(m => EventDecoder.TryDecode(m.Data, out var r, out _) ? r! : throw new InvalidOperationException()).ToList();
        var writer = publisherHost.Services.GetRequiredService<EventLogWriter>();
        var committed = await writer.AppendAsync(records, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(records.Count, committed.Inserted);

        var host = await StartHostAsync(ackWait: TimeSpan.FromSeconds(2));
        await WaitForConsumerDrainedAsync(host);
        await AssertExactlyOnceAsync(events.Count);
        await AssertRedeliveredAsync(host, events.Count);
        Log.AssertNoErrors();
    }

    [Fact]
    public async Task Two_ingestors_sharing_the_durable_apply_every_event_once()
    {
        var first = await StartHostAsync(batchSize: 7);
        var second = await StartHostAsync(batchSize: 7);
        var events = Lifecycles.Build(new SessionScript(), Sessions);

        await Task.WhenAll(PublishAllAsync(first, events.Where((_, i) => i % 2 == 0)), PublishAllAsync(second, events.Where((_, i) => i % 2 == 1)));

        await WaitForConsumerDrainedAsync(first);
        await AssertExactlyOnceAsync(events.Count);
        Log.AssertNoErrors();
    }

    private async Task<List<INatsJSMsg<byte[]>>> FetchWithoutAckAsync(Microsoft.Extensions.Hosting.IHost host, int count)
    {
        var js = host.Services.GetRequiredService<INatsJSContext>();
        var config = IngestorService.CreateConsumerConfig(
            new IngestorOptions { AckWait = TimeSpan.FromSeconds(2) }, new EventStreamOptions { SubjectPrefix = SubjectPrefix });
        var consumer = await js.CreateOrUpdateConsumerAsync(StreamName, config).AsTask().WaitAsync(Timeout);
        var taken = new List<INatsJSMsg<byte[]>>();
        await foreach (var msg in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = count, Expires = TimeSpan.FromSeconds(5) }))
        {
            taken.Add(msg);
        }

        return taken;
    }

    private async Task AssertRedeliveredAsync(Microsoft.Extensions.Hosting.IHost host, int published)
    {
        var js = host.Services.GetRequiredService<INatsJSContext>();
        var consumer = await js.GetConsumerAsync(StreamName, "ingestor").AsTask().WaitAsync(Timeout);
        Assert.True(consumer.Info.Delivered.ConsumerSeq > (ulong)published, $"only {consumer.Info.Delivered.ConsumerSeq} deliveries of {published} events");
    }

    /// <summary>Every event once in the log, and the read models as one delivery of each makes them.</summary>
    private async Task AssertExactlyOnceAsync(int published)
    {
        await WaitForAsync("SELECT count(*) FROM session_events", published);
        Assert.Equal(published, await ScalarAsync("SELECT count(DISTINCT (bng_id, instance_id, seq)) FROM session_events"));
        var stopped = Lifecycles.Stopped(Sessions);
        Assert.Equal(stopped, await ScalarAsync("SELECT count(*) FROM sessions_history"));
        Assert.Equal(Sessions - stopped, await ScalarAsync("SELECT count(*) FROM sessions_active"));

        // Two updates per session and one sample at each stop; counters grow linearly, so the deltas add up to the final counters.
        Assert.Equal((Sessions * 2) + stopped, await ScalarAsync("SELECT count(*) FROM traffic_samples"));
        Assert.Equal(0, await ScalarAsync(
            """
            SELECT count(*) FROM (
                SELECT session_id, bytes_up FROM sessions_history UNION ALL SELECT session_id, bytes_up FROM sessions_active) s
            WHERE bytes_up <> (SELECT sum(t.bytes_up) FROM traffic_samples t WHERE t.session_id = s.session_id)
            """));
        var finalBytes = await RowsAsync("SELECT session_id, bytes_up, download_kbps FROM sessions_history ORDER BY session_id");
        foreach (var row in finalBytes)
        {
            var n = int.Parse(((string)row[0]!).Split("-s")[1], CultureInfo.InvariantCulture);
            Assert.Equal((n + 1) * 3 * 1000L, row[1]);
            Assert.Equal(100_000L + n, row[2]);
        }
    }
}
