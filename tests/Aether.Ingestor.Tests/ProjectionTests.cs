using Aether.Ingestor.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Ingestor.Tests;

[Collection(PipelineCollection.Name)]
public sealed class ProjectionTests(PostgresServer postgres, NatsServer nats) : StorageTestBase(postgres, nats)
{
    [Fact]
    public async Task A_stop_writes_a_last_traffic_sample_with_the_final_deltas()
    {
        var bng = new SessionScript();

        await AppendAsync(bng.Start("s", 1), bng.Update("s", 100, 400, 1, 4), bng.Stop("s", 300, 1000, 3, 10));

        var samples = await RowsAsync("SELECT bytes_up, bytes_down, packets_up, packets_down, seconds FROM traffic_samples ORDER BY time");
        Assert.Equal([[100L, 400L, 1L, 4L, 10.0], [200L, 600L, 2L, 6L, 10.0]], samples);
    }

    [Fact]
    public async Task Events_delivered_out_of_order_project_as_in_order_ones_do()
    {
        var inOrder = new SessionScript("bng-a");
        var shuffled = new SessionScript("bng-b");
        var a = Lifecycles.Build(inOrder, 5, updates: 3);
        var b = Lifecycles.Build(shuffled, 5, updates: 3);

        foreach (var e in a)
        {
            await AppendAsync(e);
        }

        // Stops and updates first, then policies, then starts: every session's events arrive back to front.
        foreach (var type in (string[])[Events.EventTypes.SessionStop, Events.EventTypes.SessionUpdate, Events.EventTypes.PolicyApply, Events.EventTypes.SessionStart, Events.EventTypes.RouterUpdate, Events.EventTypes.BngHealthUpdate])
        {
            foreach (var e in b.Where(e => e.Type == type).Reverse())
            {
                await AppendAsync(e);
            }
        }

        Assert.Equal(await SessionsAsync("bng-a"), await SessionsAsync("bng-b"));
        Assert.Equal(await SamplesAsync("bng-a"), await SamplesAsync("bng-b"));
    }

    [Fact]
    public async Task A_counter_report_delivered_after_a_newer_one_is_sampled_as_if_in_order()
    {
        var inOrder = new SessionScript("bng-a");
        var late = new SessionScript("bng-b");
        var a = new[] { inOrder.Start("bng-a-s", 1), inOrder.Update("bng-a-s", 100, 400, 1, 4), inOrder.Update("bng-a-s", 300, 900, 3, 9), inOrder.Stop("bng-a-s", 700, 1000, 7, 10) };
        var b = new[] { late.Start("bng-b-s", 1), late.Update("bng-b-s", 100, 400, 1, 4), late.Update("bng-b-s", 300, 900, 3, 9), late.Stop("bng-b-s", 700, 1000, 7, 10) };

        await AppendAsync(a);
        await AppendAsync(b[0], b[2]);
        await AppendAsync(b[3]);
        await AppendAsync(b[1]);

        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM traffic_samples WHERE bng_id = 'bng-b'"));
        Assert.Equal(await SessionsAsync("bng-a"), await SessionsAsync("bng-b"));
        Assert.Equal(await SamplesAsync("bng-a"), await SamplesAsync("bng-b"));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM projection_resample"));
    }

    [Fact]
    public async Task Appending_a_batch_again_changes_nothing()
    {
        var events = Lifecycles.Build(new SessionScript(), 10);
        await AppendAsync([.. events]);
        var before = await SnapshotReadModelsAsync();

        var again = await AppendAsync([.. events, .. events]);

        Assert.Equal(0, again.Inserted);
        Assert.Equal(events.Count * 2, again.Duplicates);
        Assert.Equal(before, await SnapshotReadModelsAsync());
    }

    [Fact]
    public async Task Rebuilt_read_models_equal_the_live_ones()
    {
        var bng1 = new SessionScript("bng-01", "i-1");
        var bng2 = new SessionScript("bng-02", "i-7");
        var events = Lifecycles.Build(bng1, 40, updates: 4).Concat(Lifecycles.Build(bng2, 25, updates: 2, firstSession: 100)).ToList();
        foreach (var chunk in events.Chunk(37))
        {
            await AppendAsync(chunk);
        }

        var live = await SnapshotReadModelsAsync();
        Assert.NotEmpty(live["sessions_active"]);
        Assert.NotEmpty(live["sessions_history"]);
        Assert.NotEmpty(live["traffic_samples"]);
        Assert.NotEmpty(live["access_routers"]);
        Assert.NotEmpty(live["bng_health_events"]);

        var replayed = await NewRebuilder(chunkSize: 50).RebuildAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(events.Count, replayed);
        Assert.Equal(live, await SnapshotReadModelsAsync());
    }

    [Fact]
    public async Task Router_and_health_reports_keep_the_newest_state_and_the_whole_series()
    {
        var bng = new SessionScript("bng-01");
        var up = bng.Router("relay-1", "198.18.1.1", "UP");
        var down = bng.Router("relay-1", "198.18.1.1", "DOWN");
        var h1 = bng.Health(10, 100, 1);
        var h2 = bng.Health(20, 200, 2);

        await AppendAsync(down, h2);
        await AppendAsync(up, h1);

        Assert.Equal([["relay-1", "198.18.1.1", "bng-01", "DOWN"]], await RowsAsync("SELECT router_id, host(giaddr), bng_id, state FROM access_routers"));
        Assert.Equal(2, await ScalarAsync("SELECT count(*) FROM bng_health_events"));
        Assert.Equal([[20.0, 200L, 2]], await RowsAsync("SELECT cpu_percent, memory_bytes, session_count FROM bng_registry"));
    }

    [Fact]
    public async Task The_five_minute_rate_view_sums_recent_samples()
    {
        var now = DateTimeOffset.UtcNow;
        var bng = new SessionScript(start: now.AddMinutes(-3));

        await AppendAsync(bng.Start("s", 1), bng.Update("s", 300, 3000, 3, 30), bng.Update("s", 600, 6000, 6, 60));

        var rate = Assert.Single(await RowsAsync("SELECT up_bps, down_bps FROM session_traffic_5m WHERE session_id = 's'"));
        Assert.Equal(600 * 8 / 300.0, Convert.ToDouble(rate[0], System.Globalization.CultureInfo.InvariantCulture), 6);
        Assert.Equal(6000 * 8 / 300.0, Convert.ToDouble(rate[1], System.Globalization.CultureInfo.InvariantCulture), 6);
    }

    private Task<List<object?[]>> SessionsAsync(string bngId) => RowsAsync(
        $"""
        SELECT split_part(session_id, '-', 3), mac, host(ip), download_kbps, upload_kbps, bytes_up, bytes_down, packets_up,
               packets_down, started, stopped, cause, 'history' FROM sessions_history WHERE bng_id = '{bngId}'
        UNION ALL
        SELECT split_part(session_id, '-', 3), mac, host(ip), download_kbps, upload_kbps, bytes_up, bytes_down, packets_up,
               packets_down, started, NULL, NULL, 'active' FROM sessions_active WHERE bng_id = '{bngId}'
        ORDER BY 1
        """);

    private Task<List<object?[]>> SamplesAsync(string bngId) => RowsAsync(
        $"SELECT split_part(session_id, '-', 3), time, seconds, bytes_up, bytes_down, packets_up, packets_down FROM traffic_samples WHERE bng_id = '{bngId}' ORDER BY 1, 2");
}
