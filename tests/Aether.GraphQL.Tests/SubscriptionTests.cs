using System.Diagnostics;
using System.Text.Json;
using Aether.Events;
using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

/// <summary>Subscriptions fed from NATS: events published on the stream reach WebSocket subscribers.</summary>
[Collection(GraphQLCollection.Name)]
public sealed class SubscriptionTests(PostgresServer postgres, NatsServer nats) : IAsyncLifetime
{
    private const string SessionStarts =
        """
        subscription {
          sessionEvents(types: ["SESSION_START"]) {
            type bngId instanceId seq time sessionId
            session { mac ip circuitId remoteId username downloadKbps uploadKbps }
          }
        }
        """;

    private static readonly DateTimeOffset s_time = new(2025, 11, 25, 13, 0, 0, TimeSpan.Zero);
    private GraphQLHost _host = null!;

    public async Task InitializeAsync() => _host = await GraphQLHost.StartAsync(postgres, nats);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_subscriber_receives_SESSION_START_published_to_NATS_within_a_second()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync(new { authorization = "Bearer " + GraphQLHost.ViewerKey });
        await client.SubscribeAsync("starts", SessionStarts);
        await PingPongAsync(client);

        var clock = Stopwatch.StartNew();
        await _host.PublishAsync(Start("s-42", seq: 1));
        var next = await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        clock.Stop();

        Assert.Equal(("next", "starts"), (next.GetProperty("type").GetString(), next.GetProperty("id").GetString()));
        var e = next.GetProperty("payload").GetProperty("data").GetProperty("sessionEvents");
        Assert.Equal("SESSION_START", e.GetProperty("type").GetString());
        Assert.Equal("s-42", e.GetProperty("sessionId").GetString());
        Assert.Equal(1, e.GetProperty("seq").GetInt64());
        Assert.Equal("bng-01/relay-01/1/0/1", e.GetProperty("session").GetProperty("username").GetString());
        Assert.Equal("100.64.0.42", e.GetProperty("session").GetProperty("ip").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        _host.Log.AssertNoErrors();
    }

    [Fact]
    public async Task Filters_pick_the_events_and_complete_stops_the_stream()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();
        await client.SubscribeAsync("b2", "subscription { sessionEvents(bngId: \"bng-02\") { bngId sessionId } }");
        await PingPongAsync(client);

        await _host.PublishAsync(Start("s-1", seq: 1));
        await _host.PublishAsync(Start("s-2", seq: 1, bngId: "bng-02"));
        var first = await client.ReceiveAsync();
        await client.SendAsync(new { id = "b2", type = "complete" });
        await PingPongAsync(client);
        await _host.PublishAsync(Start("s-3", seq: 2, bngId: "bng-02"));
        await client.SendAsync(new { type = "ping" });
        var afterComplete = await client.ReceiveAsync();

        Assert.Equal("s-2", first.GetProperty("payload").GetProperty("data").GetProperty("sessionEvents").GetProperty("sessionId").GetString());
        Assert.Equal("pong", afterComplete.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Traffic_updates_carry_the_rate_since_the_previous_report()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();
        await client.SubscribeAsync("t", "subscription { trafficUpdated(sessionId: \"s-7\") { sessionId bytesDown downBps upBps final } }");
        await PingPongAsync(client);

        await _host.PublishAsync(Update("s-7", seq: 2, seconds: 0, bytesDown: 1_000_000));
        await _host.PublishAsync(Update("s-7", seq: 3, seconds: 10, bytesDown: 2_000_000));
        await _host.PublishAsync(Update("s-8", seq: 4, seconds: 10, bytesDown: 5));
        var first = Payload(await client.ReceiveAsync(), "trafficUpdated");
        var second = Payload(await client.ReceiveAsync(), "trafficUpdated");

        Assert.Equal(JsonValueKind.Null, first.GetProperty("downBps").ValueKind);
        Assert.Equal(2_000_000, second.GetProperty("bytesDown").GetInt64());
        Assert.Equal(800_000, second.GetProperty("downBps").GetDouble(), 3);
        Assert.False(second.GetProperty("final").GetBoolean());
    }

    [Fact]
    public async Task Bng_health_reports_reach_their_subscribers()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();
        await client.SubscribeAsync("h", "subscription { bngHealth { bngId cpuPercent memoryBytes memoryLimitBytes sessionCount time } }");
        await PingPongAsync(client);

        await _host.PublishAsync(new AetherEvent
        {
            Type = EventTypes.BngHealthUpdate,
            BngId = "bng-01",
            InstanceId = "i-1",
            Seq = 9,
            Time = s_time,
            Health = new BngHealth(37.5, 123_456, 1_000_000, 12),
        });
        var health = Payload(await client.ReceiveAsync(), "bngHealth");

        Assert.Equal(37.5, health.GetProperty("cpuPercent").GetDouble());
        Assert.Equal(12, health.GetProperty("sessionCount").GetInt32());
        Assert.Equal("2025-11-25T13:00:00Z", health.GetProperty("time").GetString());
    }

    [Fact]
    public async Task Several_subscriptions_share_one_socket()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();
        await client.SubscribeAsync("a", "subscription { sessionEvents { sessionId } }");
        await client.SubscribeAsync("b", "subscription { sessionEvents(types: [\"SESSION_START\"]) { type } }");
        await PingPongAsync(client);

        await _host.PublishAsync(Start("s-5", seq: 1));
        var ids = new[] { await client.ReceiveAsync(), await client.ReceiveAsync() }.Select(m => m.GetProperty("id").GetString()).Order();

        Assert.Equal(["a", "b"], ids);
    }

    /// <summary>A ping answered means every earlier message was handled (the subscription is registered).</summary>
    private static async Task PingPongAsync(TransportWsClient client)
    {
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
    }

    private static JsonElement Payload(JsonElement message, string field) =>
        message.GetProperty("payload").GetProperty("data").GetProperty(field);

    private static AetherEvent Start(string sessionId, ulong seq, string bngId = "bng-01") => new()
    {
        Type = EventTypes.SessionStart,
        BngId = bngId,
        InstanceId = "i-" + sessionId,
        Seq = seq,
        Time = s_time,
        SessionId = sessionId,
        Session = new SessionInfo
        {
            Mac = "02:00:00:00:00:2a",
            Ip = "100.64.0.42",
            CircuitId = "1/0/1",
            RemoteId = "relay-01",
            Username = $"{bngId}/relay-01/1/0/1",
            DownloadKbps = 20000,
            UploadKbps = 10000,
            Started = s_time,
        },
    };

    private static AetherEvent Update(string sessionId, ulong seq, int seconds, long bytesDown) => new()
    {
        Type = EventTypes.SessionUpdate,
        BngId = "bng-01",
        InstanceId = "i-u",
        Seq = seq,
        Time = s_time.AddSeconds(seconds),
        SessionId = sessionId,
        Counters = new TrafficCounters(0, bytesDown, 0, 0),
    };
}
