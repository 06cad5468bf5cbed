using Aether.Events;
using Aether.Ingestor.Tests.Support;
using Aether.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aether.Ingestor.Tests;

/// <summary>A server restarted while events flow: nothing lost, nothing doubled.</summary>
[Collection(PipelineCollection.Name)]
public sealed class FaultTests(PostgresServer postgres, NatsServer nats) : PipelineTestBase(postgres, nats)
{
    private const int Sessions = 150;

    [Fact]
    public async Task PostgreSQL_restarted_mid_stream_loses_and_doubles_nothing()
    {
        var host = await StartHostAsync(batchSize: 20, ackWait: TimeSpan.FromSeconds(5));
        var events = Lifecycles.Build(new SessionScript(), Sessions);

        var publishing = PublishPacedAsync(host, events);
        await WaitForAsync("SELECT CASE WHEN count(*) > 50 THEN 1 ELSE 0 END FROM session_events", 1);
        Assert.False(publishing.IsCompleted, "the fault must land while events are still being published");
        await Postgres.RestartAsync(TimeSpan.FromSeconds(1)).WaitAsync(Timeout);
        await publishing.WaitAsync(Timeout);

        await AssertExactlyOnceAsync(host, events.Count);
        Assert.Contains(Log.Entries, e => e.EventId.Id == 202); // the write failed and was retried
        Log.AssertNoAetherErrors();
    }

    [Fact]
    public async Task NATS_restarted_mid_stream_loses_and_doubles_nothing()
    {
        var host = await StartHostAsync(batchSize: 20, ackWait: TimeSpan.FromSeconds(5));
        var events = Lifecycles.Build(new SessionScript(), Sessions);

        var publishing = PublishPacedAsync(host, events);
        await WaitForAsync("SELECT CASE WHEN count(*) > 50 THEN 1 ELSE 0 END FROM session_events", 1);
        Assert.False(publishing.IsCompleted, "the fault must land while events are still being published");
        await Nats.RestartAsync(TimeSpan.FromSeconds(1)).WaitAsync(Timeout);
        await publishing.WaitAsync(Timeout);

        await AssertExactlyOnceAsync(host, events.Count);
        Log.AssertNoAetherErrors();
    }

    /// <summary>Publishes with 8 sessions in flight, slowly enough (about three seconds) that the fault lands mid-stream.</summary>
    private static Task PublishPacedAsync(IHost host, List<AetherEvent> events) => Task.Run(async () =>
    {
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        using var cts = new CancellationTokenSource(Timeout);
        var options = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cts.Token };

        // One session's events stay in order (a BNG reports them in order); sessions interleave.
        var bySession = events.GroupBy(e => e.SessionId ?? e.Type).ToList();
        await Parallel.ForEachAsync(bySession, options, async (session, ct) =>
        {
            foreach (var e in session)
            {
                await publisher.PublishAsync(e, ct);
                await Task.Delay(20, ct);
            }
        });
    });

    private async Task AssertExactlyOnceAsync(IHost host, int published)
    {
        await WaitForAsync("SELECT count(*) FROM session_events", published);
        await WaitForConsumerDrainedAsync(host);
        Assert.Equal(published, await ScalarAsync("SELECT count(*) FROM session_events"));
        var stopped = Lifecycles.Stopped(Sessions);
        Assert.Equal(stopped, await ScalarAsync("SELECT count(*) FROM sessions_history"));
        Assert.Equal(Sessions - stopped, await ScalarAsync("SELECT count(*) FROM sessions_active"));
        Assert.Equal((Sessions * 2) + stopped, await ScalarAsync("SELECT count(*) FROM traffic_samples"));
        Assert.Equal(0, await ScalarAsync(
            """
            SELECT count(*) FROM sessions_history h
            WHERE h.bytes_up <> (split_part(h.session_id, '-s', 2)::bigint + 1) * 3000
               OR h.download_kbps <> 100000 + split_part(h.session_id, '-s', 2)::bigint
               OR h.bytes_up <> (SELECT sum(t.bytes_up) FROM traffic_samples t WHERE t.session_id = h.session_id)
            """));
    }
}
