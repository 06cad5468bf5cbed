using System.Text.Json;
using Aether.GraphQL.Tests.Support;
using Aether.TestUtilities;

namespace Aether.GraphQL.Tests;

/// <summary>graphql-transport-ws as PROTOCOL.md of enisdenjo/graphql-ws defines it, over a real socket.</summary>
[Collection(GraphQLCollection.Name)]
public sealed class WebSocketProtocolTests(PostgresServer postgres, NatsServer nats) : IAsyncLifetime
{
    private GraphQLHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await GraphQLHost.StartAsync(postgres, nats, new Dictionary<string, string?> { ["GraphQL:ConnectionInitTimeout"] = "00:00:00.500" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_server_speaks_the_graphql_transport_ws_sub_protocol()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);

        await client.InitAsync();

        Assert.Equal("graphql-transport-ws", client.SubProtocol);
    }

    [Fact]
    public async Task A_query_over_the_socket_gets_next_then_complete()
    {
        await Seed.SessionsAsync(_host.OssConnectionString, 2);
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();

        await client.SubscribeAsync("q1", "query($n: Int) { sessions(first: $n) { totalCount } }", new { n = 1 });
        var next = await client.ReceiveAsync();
        var complete = await client.ReceiveAsync();

        Assert.Equal(("next", "q1"), (next.GetProperty("type").GetString(), next.GetProperty("id").GetString()));
        Assert.Equal(2, next.GetProperty("payload").GetProperty("data").GetProperty("sessions").GetProperty("totalCount").GetInt32());
        Assert.Equal(("complete", "q1"), (complete.GetProperty("type").GetString(), complete.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Ping_is_answered_with_pong_carrying_the_payload()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();

        await client.SendAsync(new { type = "ping", payload = new { n = 7 } });
        var pong = await client.ReceiveAsync();

        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(7, pong.GetProperty("payload").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task No_connection_init_in_time_closes_with_4408()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);

        var (code, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(5));

        Assert.Equal((4408, "Connection initialisation timeout"), (code, reason));
    }

    [Fact]
    public async Task A_second_connection_init_closes_with_4429()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();

        await client.SendAsync(new { type = "connection_init" });

        Assert.Equal((4429, "Too many initialisation requests"), await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task Subscribe_before_the_ack_closes_with_4401()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);

        await client.SubscribeAsync("s1", "{ plans { id } }");

        Assert.Equal((4401, "Unauthorized"), await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task A_second_subscriber_with_a_running_id_closes_with_4409()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();

        await client.SubscribeAsync("dup", "subscription { sessionEvents { type } }");
        await client.SubscribeAsync("dup", "subscription { sessionEvents { type } }");

        Assert.Equal((4409, "Subscriber for dup already exists"), await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task A_wrong_key_in_connection_init_closes_with_4403()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);

        await client.SendAsync(new { type = "connection_init", payload = new { authorization = "Bearer wrong-key-wrong-key" } });

        Assert.Equal((4403, "Forbidden"), await client.WaitForCloseAsync());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"type\": 5}")]
    [InlineData("{\"type\": \"next\", \"id\": \"x\"}")]
    [InlineData("{\"type\": \"subscribe\", \"id\": \"x\", \"payload\": {\"variables\": {}}}")]
    public async Task An_invalid_message_closes_with_4400(string message)
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();

        await client.SendTextAsync(message);

        Assert.Equal(4400, (await client.WaitForCloseAsync()).Code);
    }

    [Fact]
    public async Task A_client_without_the_sub_protocol_is_told_4406()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri, subProtocol: null);

        Assert.Equal((4406, "Subprotocol not acceptable"), await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task An_invalid_operation_gets_an_error_message_and_the_socket_stays_open()
    {
        await using var client = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await client.InitAsync();

        await client.SubscribeAsync("bad", "subscription { noSuchField }");
        var error = await client.ReceiveAsync();
        await client.SendAsync(new { type = "ping" });

        Assert.Equal(("error", "bad"), (error.GetProperty("type").GetString(), error.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Array, error.GetProperty("payload").ValueKind);
        Assert.Contains("noSuchField", error.GetProperty("payload")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Roles_apply_on_the_socket_as_over_http()
    {
        await using var viewer = await TransportWsClient.ConnectAsync(_host.WebSocketUri);
        await viewer.InitAsync(new { authorization = "Bearer " + GraphQLHost.ViewerKey });
        await using var operatorClient = await TransportWsClient.ConnectAsync(_host.WebSocketUri,
            headers: new Dictionary<string, string> { ["X-Api-Key"] = GraphQLHost.OperatorKey });
        await operatorClient.InitAsync();
        const string Mutation = "mutation { createPlan(input: { name: \"ws\", downloadKbps: 1000, uploadKbps: 1000 }) { name } }";

        await viewer.SubscribeAsync("m", Mutation);
        var refused = await viewer.ReceiveAsync();
        await operatorClient.SubscribeAsync("m", Mutation);
        var done = await operatorClient.ReceiveAsync();

        Assert.Equal("error", refused.GetProperty("type").GetString());
        Assert.Equal("FORBIDDEN", refused.GetProperty("payload")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("ws", done.GetProperty("payload").GetProperty("data").GetProperty("createPlan").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Without_anonymous_reads_a_keyless_connection_init_closes_with_4403()
    {
        await using var host = await GraphQLHost.StartAsync(postgres, nats, new Dictionary<string, string?> { ["GraphQL:AllowAnonymousRead"] = "false" });
        await using var anonymous = await TransportWsClient.ConnectAsync(host.WebSocketUri);
        await using var viewer = await TransportWsClient.ConnectAsync(host.WebSocketUri);

        await anonymous.SendAsync(new { type = "connection_init", payload = new { } });
        await viewer.InitAsync(new { apiKey = GraphQLHost.ViewerKey });

        Assert.Equal((4403, "Forbidden"), await anonymous.WaitForCloseAsync());
    }
}
