using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Aether.GraphQL.Tests.Support;

/// <summary>A minimal graphql-transport-ws client over a real <see cref="ClientWebSocket"/>.</summary>
public sealed class TransportWsClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private TransportWsClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    public string? SubProtocol => _socket.SubProtocol;

    public static async Task<TransportWsClient> ConnectAsync(Uri uri, string? subProtocol = "graphql-transport-ws", IDictionary<string, string>? headers = null)
    {
        var socket = new ClientWebSocket();
        if (subProtocol is not null)
        {
            socket.Options.AddSubProtocol(subProtocol);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            socket.Options.SetRequestHeader(name, value);
        }

        await socket.ConnectAsync(uri, TestTimeouts.Token());
        return new TransportWsClient(socket);
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public async Task SendTextAsync(string text) =>
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, TestTimeouts.Token());

    /// <summary>connection_init, then expects connection_ack.</summary>
    public async Task InitAsync(object? payload = null)
    {
        await SendAsync(payload is null ? new { type = "connection_init" } : new { type = "connection_init", payload });
        var ack = await ReceiveAsync();
        Assert.Equal("connection_ack", ack.GetProperty("type").GetString());
    }

    public Task SubscribeAsync(string id, string query, object? variables = null) =>
        SendAsync(new { id, type = "subscribe", payload = new { query, variables } });

    /// <summary>The next message; fails if the socket closes first.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        var message = await ReceiveOrCloseAsync(timeout);
        Assert.True(message is not null, $"The server closed the socket: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
        return message.Value;
    }

    /// <summary>Reads until the server closes; returns its close code and reason. Messages before the close are ignored.</summary>
    public async Task<(int Code, string? Reason)> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        while (await ReceiveOrCloseAsync(timeout) is not null)
        {
        }

        return ((int)_socket.CloseStatus!.Value, _socket.CloseStatusDescription);
    }

    private async Task<JsonElement?> ReceiveOrCloseAsync(TimeSpan? timeout)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
                }

                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                using var document = JsonDocument.Parse(message.ToArray());
                return document.RootElement.Clone();
            }
        }
    }

    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", TestTimeouts.Token());
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync();
        }
        catch (WebSocketException)
        {
        }

        _socket.Dispose();
    }
}
