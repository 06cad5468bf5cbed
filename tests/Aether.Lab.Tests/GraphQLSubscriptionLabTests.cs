using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Aether.Lab.Tests;

/// <summary>A graphql-transport-ws client sees the subscriber's SESSION_START as the subscriber comes online.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class GraphQLSubscriptionLabTests
{
    private const string Host = "ae-h01-2";
    private const string Mac = "02:00:00:01:00:02";
    private readonly LabFixture _lab;

    public GraphQLSubscriptionLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task A_graphql_ws_subscriber_receives_SESSION_START_within_a_second_of_the_DHCPACK()
    {
        await _lab.ReleaseAsync(Host);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("graphql-transport-ws");
        await ws.ConnectAsync(new Uri("ws://127.0.0.1:8080/graphql"), cts.Token);
        Assert.Equal("graphql-transport-ws", ws.SubProtocol);

        await SendAsync(ws, new { type = "connection_init", payload = new { } }, cts.Token);
        Assert.Equal("connection_ack", (await ReceiveAsync(ws, cts.Token)).GetProperty("type").GetString());
        const string Subscription = "subscription { sessionEvents(bngId: \"bng-01\", types: [\"SESSION_START\"]) { type bngId sessionId time session { mac ip circuitId remoteId } } }";
        await SendAsync(ws, new { id = "1", type = "subscribe", payload = new { query = Subscription } }, cts.Token);
        // A pong after the subscribe means the subscription is live.
        await SendAsync(ws, new { type = "ping" }, cts.Token);
        Assert.Equal("pong", (await ReceiveAsync(ws, cts.Token)).GetProperty("type").GetString());

        var online = _lab.BringOnlineAsync(Host);
        JsonElement next;
        DateTimeOffset received;
        while (true)
        {
            var receive = ReceiveAsync(ws, cts.Token);
            if (await Task.WhenAny(receive, online) == online && !receive.IsCompleted)
            {
                var (failed, _) = await online;
                Assert.True(failed.ExitCode == 0, "dhclient got no lease: " + failed.Describe());
            }
            next = await receive;
            received = DateTimeOffset.UtcNow;
            Assert.Equal("next", next.GetProperty("type").GetString());
            var session = next.GetProperty("payload").GetProperty("data").GetProperty("sessionEvents").GetProperty("session");
            if (session.GetProperty("mac").GetString() == Mac)
            {
                break;
            }
        }
        var (dhclient, ip) = await online;
        Assert.True(dhclient.ExitCode == 0, dhclient.Describe());

        var sessionEvent = next.GetProperty("payload").GetProperty("data").GetProperty("sessionEvents");
        Assert.Equal("SESSION_START", sessionEvent.GetProperty("type").GetString());
        Assert.Equal(ip, sessionEvent.GetProperty("session").GetProperty("ip").GetString());
        Assert.Equal("1/0/2", sessionEvent.GetProperty("session").GetProperty("circuitId").GetString());
        // The event's time is when the agent saw the DHCPACK (and programmed the kernel, before the client
        // got it); the subscriber received it through the agent, the controller, JetStream and NATS.
        var ackTime = DateTimeOffset.Parse(sessionEvent.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(received - ackTime < TimeSpan.FromSeconds(1), $"SESSION_START arrived {(received - ackTime).TotalMilliseconds:0} ms after the DHCPACK");

        await SendAsync(ws, new { id = "1", type = "complete" }, cts.Token);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    private static Task SendAsync(ClientWebSocket ws, object message, CancellationToken ct) =>
        ws.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, ct);

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the server closed the socket: {ws.CloseStatus} {ws.CloseStatusDescription}");
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                using var doc = JsonDocument.Parse(message.ToArray());
                return doc.RootElement.Clone();
            }
        }
    }
}
