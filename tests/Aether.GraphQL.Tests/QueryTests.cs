using System.Text.Json;
using Aether.Events;
using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

[Collection(GraphQLCollection.Name)]
public sealed class QueryTests(PostgresServer postgres, NatsServer nats) : IAsyncLifetime
{
    private GraphQLHost _host = null!;

    public async Task InitializeAsync() => _host = await GraphQLHost.StartAsync(postgres, nats);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Sessions_query_of_the_walking_skeleton_answers()
    {
        await Seed.SessionsAsync(_host.OssConnectionString, 3);

        var response = await _host.QueryAsync(
            "{ sessions(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id bngId ip mac circuitId remoteId downloadKbps uploadKbps } } }");

        response.Ok();
        var sessions = response.Data.GetProperty("sessions");
        Assert.Equal(3, sessions.GetProperty("totalCount").GetInt32());
        Assert.False(sessions.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        var first = sessions.GetProperty("nodes")[0];
        Assert.Equal(Seed.SessionId("bng-01", 0), first.GetProperty("id").GetString());
        Assert.Equal("bng-01", first.GetProperty("bngId").GetString());
        Assert.Equal("100.64.0.2", first.GetProperty("ip").GetString());
        Assert.Equal("1/0/1", first.GetProperty("circuitId").GetString());
        Assert.Equal("relay-01", first.GetProperty("remoteId").GetString());
        Assert.Equal(20000, first.GetProperty("downloadKbps").GetInt64());
        Assert.Equal(10000, first.GetProperty("uploadKbps").GetInt64());
        _host.Log.AssertNoErrors();
    }

    [Fact]
    public async Task Sessions_filter_by_bng_state_and_ip_and_mac_substrings()
    {
        await Seed.SessionsAsync(_host.OssConnectionString, 30);
        await Seed.SessionsAsync(_host.OssConnectionString, 5, bngId: "bng-02", offset: 300, relay: "relay-09");

        var byBng = await Ids("{ sessions(filter: { bngId: \"bng-02\" }) { totalCount nodes { id } } }");
        var byIp = await Ids("{ sessions(filter: { ip: \"64.0.1\" }) { totalCount nodes { id } } }");
        var byMac = await Ids("{ sessions(filter: { mac: \"00:00:1B\", state: \"ACTIVE\" }) { totalCount nodes { id } } }");
        var none = await Ids("{ sessions(filter: { state: \"STOPPED\" }) { totalCount nodes { id } } }");

        Assert.Equal(5, byBng.Count);
        Assert.All(byBng, id => Assert.StartsWith("bng-02-", id, StringComparison.Ordinal));
        // 100.64.0.1x: the sessions 8 to 17.
        Assert.Equal(Enumerable.Range(8, 10).Select(i => Seed.SessionId("bng-01", i)), byIp);
        Assert.Equal([Seed.SessionId("bng-01", 27)], byMac);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Sessions_sorted_descending_page_through_with_cursors_without_gaps_or_repeats()
    {
        await Seed.SessionsAsync(_host.OssConnectionString, 20);
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = (await _host.QueryAsync(
                "query($after: String) { sessions(first: 7, after: $after, orderBy: { field: BYTES_UP, direction: DESC }) { totalCount pageInfo { hasNextPage endCursor } nodes { id bytesUp } } }",
                new { after })).Ok().Data.GetProperty("sessions");
            Assert.Equal(20, page.GetProperty("totalCount").GetInt32());
            seen.AddRange(page.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!));
            var info = page.GetProperty("pageInfo");
            after = info.GetProperty("hasNextPage").GetBoolean() ? info.GetProperty("endCursor").GetString() : null;
        }
        while (after is not null);

        Assert.Equal(Enumerable.Range(0, 20).Reverse().Select(i => Seed.SessionId("bng-01", i)), seen);
    }

    [Fact]
    public async Task A_cursor_of_another_order_is_refused_as_bad_input()
    {
        await Seed.SessionsAsync(_host.OssConnectionString, 3);
        var cursor = (await _host.QueryAsync("{ sessions(first: 1) { pageInfo { endCursor } } }")).Ok()
            .Data.GetProperty("sessions").GetProperty("pageInfo").GetProperty("endCursor").GetString();

        var response = await _host.QueryAsync(
            "query($c: String) { sessions(first: 1, after: $c, orderBy: { field: IP }) { nodes { id } } }", new { c = cursor });

        Assert.Equal("BAD_USER_INPUT", response.FirstErrorCode);
        Assert.Contains("cursor", response.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_larger_than_the_limit_is_refused()
    {
        var response = await _host.QueryAsync("{ sessions(first: 501) { nodes { id } } }");

        Assert.Equal("BAD_USER_INPUT", response.FirstErrorCode);
        Assert.Equal("first must be between 1 and 500.", response.FirstError.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Session_history_lists_finished_sessions_most_recently_stopped_first()
    {
        for (var i = 0; i < 3; i++)
        {
            await _host.ExecuteSqlAsync(_host.OssConnectionString,
                """
                INSERT INTO sessions_history (session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, download_kbps, upload_kbps,
                    bytes_up, bytes_down, packets_up, packets_down, started, updated_at, last_seq, last_time, policy_time, stopped, cause)
                VALUES (@id, 'bng-01', 'i', '02:00:00:00:00:01', '100.64.0.9', '1/0/1', 'relay-01', 1000, 1000, 1, 2, 3, 4,
                    @started, @stopped, 1, @stopped, @started, @stopped, 'User-Request')
                """,
                ("id", $"old-{i}"), ("started", new DateTime(2025, 11, 1, 10, 0, 0, DateTimeKind.Utc)),
                ("stopped", new DateTime(2025, 11, 1, 11, i, 0, DateTimeKind.Utc)));
        }

        var history = (await _host.QueryAsync(
            "{ sessionHistory(first: 2) { totalCount pageInfo { hasNextPage } nodes { id stopped cause } } }")).Ok().Data.GetProperty("sessionHistory");

        Assert.Equal(3, history.GetProperty("totalCount").GetInt32());
        Assert.True(history.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        Assert.Equal(["old-2", "old-1"], history.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()));
        Assert.Equal("User-Request", history.GetProperty("nodes")[0].GetProperty("cause").GetString());
        Assert.Equal("2025-11-01T11:02:00Z", history.GetProperty("nodes")[0].GetProperty("stopped").GetString());
    }

    [Fact]
    public async Task Events_come_from_the_log_newest_first_with_their_payload()
    {
        var time = new DateTimeOffset(2025, 11, 2, 8, 0, 0, TimeSpan.Zero);
        for (var seq = 1; seq <= 3; seq++)
        {
            var e = new AetherEvent
            {
                Type = seq == 1 ? EventTypes.SessionStart : EventTypes.SessionUpdate,
                BngId = "bng-01",
                InstanceId = "i-7",
                Seq = (ulong)seq,
                Time = time.AddSeconds(seq),
                SessionId = "s-1",
                Session = seq == 1 ? new SessionInfo
                {
                    Mac = "02:00:00:00:00:01",
                    Ip = "100.64.0.5",
                    CircuitId = "1/0/1",
                    RemoteId = "relay-01",
                    DownloadKbps = 20000,
                    UploadKbps = 10000,
                    Started = time,
                } : null,
                Counters = seq == 1 ? null : new TrafficCounters(seq * 100, seq * 1000, seq, seq),
            };
            await _host.ExecuteSqlAsync(_host.OssConnectionString,
                "INSERT INTO session_events (bng_id, instance_id, seq, type, time, session_id, payload) VALUES ('bng-01', 'i-7', @seq, @type, @time, 's-1', @payload::jsonb)",
                ("seq", (long)seq), ("type", e.Type), ("time", e.Time), ("payload", System.Text.Encoding.UTF8.GetString(AetherEventJson.Serialize(e))));
        }

        var events = (await _host.QueryAsync(
            "{ events(first: 2, filter: { sessionId: \"s-1\" }) { pageInfo { hasNextPage endCursor } nodes { type seq time counters { bytesDown } session { ip } } } }"))
            .Ok().Data.GetProperty("events");
        var cursor = events.GetProperty("pageInfo").GetProperty("endCursor").GetString();
        var rest = (await _host.QueryAsync(
            "query($c: String) { events(first: 2, after: $c, filter: { types: [\"SESSION_START\"] }) { nodes { type seq session { ip downloadKbps } } } }",
            new { c = cursor })).Ok().Data.GetProperty("events").GetProperty("nodes");

        Assert.Equal([3L, 2L], events.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("seq").GetInt64()));
        Assert.Equal(3000, events.GetProperty("nodes")[0].GetProperty("counters").GetProperty("bytesDown").GetInt64());
        Assert.True(events.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        var start = Assert.Single(rest.EnumerateArray());
        Assert.Equal("SESSION_START", start.GetProperty("type").GetString());
        Assert.Equal("100.64.0.5", start.GetProperty("session").GetProperty("ip").GetString());
    }

    [Fact]
    public async Task Bngs_come_with_latest_health_series_sessions_and_access_routers()
    {
        var now = DateTime.UtcNow;
        await _host.ExecuteSqlAsync(_host.OssConnectionString,
            """
            INSERT INTO bng_registry (bng_id, instance_id, first_seen, last_seen, cpu_percent, memory_bytes, memory_limit_bytes, session_count, health_time)
            VALUES ('bng-01', 'i-1', @t0, @t2, 12.5, 1000, 4000, 3, @t2), ('bng-02', 'i-2', @t0, @t0, NULL, NULL, NULL, NULL, NULL);
            INSERT INTO bng_health_events (bng_id, time, instance_id, cpu_percent, memory_bytes, memory_limit_bytes, session_count)
            VALUES ('bng-01', @t1, 'i-1', 10, 900, 4000, 2), ('bng-01', @t2, 'i-1', 12.5, 1000, 4000, 3);
            INSERT INTO access_routers (router_id, giaddr, bng_id, state, updated_at, instance_id, last_seq)
            VALUES ('relay-01', '198.18.2.1', 'bng-01', 'UP', @t2, 'i-1', 5);
            """,
            ("t0", now.AddMinutes(-30)), ("t1", now.AddMinutes(-2)), ("t2", now.AddMinutes(-1)));
        await Seed.SessionsAsync(_host.OssConnectionString, 3);

        var bngs = (await _host.QueryAsync(
            "{ bngs { id activeSessions health { cpuPercent memoryBytes sessionCount } healthSeries { cpuPercent } accessRouters { id giaddr state } } }"))
            .Ok().Data.GetProperty("bngs");

        Assert.Equal(2, bngs.GetArrayLength());
        var one = bngs[0];
        Assert.Equal("bng-01", one.GetProperty("id").GetString());
        Assert.Equal(3, one.GetProperty("activeSessions").GetInt32());
        Assert.Equal(12.5, one.GetProperty("health").GetProperty("cpuPercent").GetDouble());
        Assert.Equal([10.0, 12.5], one.GetProperty("healthSeries").EnumerateArray().Select(h => h.GetProperty("cpuPercent").GetDouble()));
        Assert.Equal("198.18.2.1", one.GetProperty("accessRouters")[0].GetProperty("giaddr").GetString());
        Assert.Equal(JsonValueKind.Null, bngs[1].GetProperty("health").ValueKind);
        Assert.Empty(bngs[1].GetProperty("accessRouters").EnumerateArray());
    }

    [Fact]
    public async Task Traffic_series_has_bucket_rates_and_five_minute_rolling_averages()
    {
        var t0 = new DateTime(2025, 11, 3, 9, 0, 0, DateTimeKind.Utc);
        for (var k = 0; k < 10; k++)
        {
            // 60,000 bytes down in each minute: 8,000 bit/s.
            await _host.ExecuteSqlAsync(_host.OssConnectionString,
                "INSERT INTO traffic_samples (session_id, time, bng_id, seconds, bytes_up, bytes_down, packets_up, packets_down) VALUES ('s-9', @t, 'bng-01', 60, 6000, 60000, 1, 1)",
                ("t", t0.AddSeconds(60 * k + 30)));
        }

        var points = (await _host.QueryAsync(
            "query($from: DateTime, $to: DateTime) { trafficSeries(sessionId: \"s-9\", from: $from, to: $to, stepSeconds: 60) { time bytesDown downBps downBpsAvg5m upBpsAvg5m } }",
            new { from = t0, to = t0.AddMinutes(10) })).Ok().Data.GetProperty("trafficSeries");
        var aggregate = (await _host.QueryAsync(
            "query($from: DateTime, $to: DateTime) { trafficSeries(bngId: \"bng-01\", from: $from, to: $to, stepSeconds: 300) { downBps downBpsAvg5m } }",
            new { from = t0, to = t0.AddMinutes(10) })).Ok().Data.GetProperty("trafficSeries");

        Assert.Equal(10, points.GetArrayLength());
        Assert.Equal("2025-11-03T09:00:00Z", points[0].GetProperty("time").GetString());
        Assert.All(points.EnumerateArray(), p => Assert.Equal(8000, p.GetProperty("downBps").GetDouble(), 3));
        Assert.Equal(1600, points[0].GetProperty("downBpsAvg5m").GetDouble(), 3);
        Assert.Equal(3200, points[1].GetProperty("downBpsAvg5m").GetDouble(), 3);
        Assert.Equal(8000, points[4].GetProperty("downBpsAvg5m").GetDouble(), 3);
        Assert.Equal(8000, points[9].GetProperty("downBpsAvg5m").GetDouble(), 3);
        Assert.Equal(800, points[9].GetProperty("upBpsAvg5m").GetDouble(), 3);
        Assert.Equal(2, aggregate.GetArrayLength());
        Assert.All(aggregate.EnumerateArray(), p => Assert.Equal(8000, p.GetProperty("downBpsAvg5m").GetDouble(), 3));
    }

    [Fact]
    public async Task A_session_and_the_aggregate_carry_their_rates_over_the_last_five_minutes()
    {
        await Seed.SessionsAsync(_host.OssConnectionString, 2);
        await _host.ExecuteSqlAsync(_host.OssConnectionString,
            "INSERT INTO traffic_samples (session_id, time, bng_id, seconds, bytes_up, bytes_down, packets_up, packets_down) VALUES (@s, now() - interval '1 minute', 'bng-01', 60, 3000, 300000, 30, 300)",
            ("s", Seed.SessionId("bng-01", 1)));

        var data = (await _host.QueryAsync("{ sessions { nodes { id traffic { downBps upBps downPps } } } traffic { downBps upBps } }")).Ok().Data;

        var nodes = data.GetProperty("sessions").GetProperty("nodes");
        Assert.Equal(0, nodes[0].GetProperty("traffic").GetProperty("downBps").GetDouble());
        Assert.Equal(8000, nodes[1].GetProperty("traffic").GetProperty("downBps").GetDouble(), 3);
        Assert.Equal(1, nodes[1].GetProperty("traffic").GetProperty("downPps").GetDouble(), 3);
        Assert.Equal(80, data.GetProperty("traffic").GetProperty("upBps").GetDouble(), 3);
    }

    [Fact]
    public async Task Introspection_is_served()
    {
        var response = await _host.QueryAsync("{ __schema { subscriptionType { fields { name } } } }");

        Assert.Equal(["sessionEvents", "trafficUpdated", "bngHealth"],
            response.Ok().Data.GetProperty("__schema").GetProperty("subscriptionType").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
    }

    private async Task<List<string>> Ids(string query)
    {
        var sessions = (await _host.QueryAsync(query)).Ok().Data.GetProperty("sessions");
        var ids = sessions.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToList();
        Assert.Equal(ids.Count, sessions.GetProperty("totalCount").GetInt32());
        return ids;
    }
}
