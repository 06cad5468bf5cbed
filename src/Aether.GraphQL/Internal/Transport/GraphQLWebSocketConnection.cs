using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Aether.GraphQL.Internal.Security;
using GraphQL;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Aether.GraphQL.Internal.Transport;

/// <summary>
/// One graphql-transport-ws connection. One reader (this loop), one writer (a bounded queue in front of the socket),
/// operations running on their own: subscriptions stream "next" messages as events arrive, queries and mutations send one
/// "next" and "complete". Protocol violations close the socket with the codes PROTOCOL.md gives.
/// </summary>
internal sealed partial class GraphQLWebSocketConnection
{
    private static readonly TimeSpan s_closeHandshakeTimeout = TimeSpan.FromSeconds(5);
    private static int s_nextId;

    private readonly WebSocket _socket;
    private readonly HttpContext _http;
    private readonly GraphQLExecutor _executor;
    private readonly ApiKeyStore _keys;
    private readonly AetherGraphQLOptions _options;
    private readonly IGraphQLTextSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<byte[]> _outbound;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly string _name;
    private readonly string _remote;
    private CancellationTokenSource _lifetime = new();
    private ApiIdentity _identity = ApiIdentity.Anonymous;
    private int _initReceived;
    private volatile bool _acknowledged;
    private int _closing;

    public GraphQLWebSocketConnection(WebSocket socket, HttpContext http, GraphQLExecutor executor, ApiKeyStore keys, AetherGraphQLOptions options,
        IGraphQLTextSerializer serializer, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _http = http;
        _executor = executor;
        _keys = keys;
        _options = options;
        _serializer = serializer;
        _time = time;
        _logger = logger;
        _outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _name = "ws-" + Interlocked.Increment(ref s_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _remote = http.Connection.RemoteIpAddress + ":" + http.Connection.RemotePort;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ct = _lifetime.Token;
        GraphQLLog.SocketOpened(_logger, _name, _remote);
        var writer = WriteLoopAsync(ct);
        var initTimeout = InitTimeoutAsync(ct);
        try
        {
            await ReadLoopAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                // The host is stopping: tell the client, briefly.
                await CloseQuietlyAsync(_socket, CloseCodes.GoingAway, "Server shutting down", CancellationToken.None);
            }
        }
        catch (WebSocketException ex)
        {
            GraphQLLog.SocketEnded(_logger, _name, ex.Message);
        }
        finally
        {
            // Late events of a stream being released must not be queued (nor count as a slow client).
            Volatile.Write(ref _closing, 1);
            foreach (var operation in _operations.Values)
            {
                operation.Dispose();
            }

            _operations.Clear();
            _outbound.Writer.TryComplete();
            await _lifetime.CancelAsync();
            await Task.WhenAll(Ignore(writer), Ignore(initTimeout));
            _lifetime.Dispose();
            _sendLock.Dispose();
        }
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var memory = buffer.GetMemory(4096);
            var received = await _socket.ReceiveAsync(memory, ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await SendCloseAsync(CloseCodes.Normal, "", CancellationToken.None);
                }

                GraphQLLog.SocketEnded(_logger, _name, $"closed by the client ({(int?)_socket.CloseStatus})");
                return;
            }

            buffer.Advance(received.Count);
            if (buffer.WrittenCount > _options.MaxRequestBytes)
            {
                await CloseAsync(CloseCodes.MessageTooBig, $"Messages are limited to {_options.MaxRequestBytes} bytes");
                buffer.Clear();
                continue;
            }

            if (!received.EndOfMessage)
            {
                continue;
            }

            if (received.MessageType == WebSocketMessageType.Binary)
            {
                await CloseAsync(CloseCodes.BadRequest, "Binary messages are not supported");
            }
            else if (Volatile.Read(ref _closing) == 0)
            {
                await HandleAsync(buffer.WrittenMemory, ct);
            }

            buffer.Clear();
        }
    }

    private async Task InitTimeoutAsync(CancellationToken ct)
    {
        await Task.Delay(_options.ConnectionInitTimeout, _time, ct);
        if (Volatile.Read(ref _initReceived) == 0)
        {
            await CloseAsync(CloseCodes.ConnectionInitialisationTimeout, "Connection initialisation timeout");
        }
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        await foreach (var message in _outbound.Reader.ReadAllAsync(ct))
        {
            await _sendLock.WaitAsync(ct);
            try
            {
                if (Volatile.Read(ref _closing) != 0 || _socket.State != WebSocketState.Open)
                {
                    continue;
                }

                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }

    /// <summary>Queues a message; a client that lets the queue fill is too slow to follow and is disconnected.</summary>
    private void Send(byte[] message)
    {
        if (Volatile.Read(ref _closing) != 0 || _outbound.Writer.TryWrite(message))
        {
            return;
        }

        GraphQLLog.SocketTooSlow(_logger, _name, _remote, _options.SendQueueCapacity);
        _ = CloseAsync(CloseCodes.TryAgainLater, "Client reads too slowly");
    }

    /// <summary>Closes the socket with <paramref name="code"/> once; the read loop then waits a little for the client's close.</summary>
    private async Task CloseAsync(int code, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        GraphQLLog.SocketClosed(_logger, _name, _remote, code, reason);
        foreach (var operation in _operations.Values)
        {
            operation.Dispose();
        }

        try
        {
            await SendCloseAsync(code, reason, _lifetime.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }

        try
        {
            _lifetime.CancelAfter(s_closeHandshakeTimeout);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task SendCloseAsync(int code, string reason, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, Truncate(reason), ct);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal static async Task CloseQuietlyAsync(WebSocket socket, int code, string reason, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(s_closeHandshakeTimeout);
            await socket.CloseAsync((WebSocketCloseStatus)code, Truncate(reason), timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    // A close reason is at most 123 bytes of UTF-8 (RFC 6455 5.5: control frames carry 125 bytes, 2 of them the code).
    private static string Truncate(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= 123)
        {
            return reason;
        }

        var end = reason.Length;
        while (Encoding.UTF8.GetByteCount(reason.AsSpan(0, end)) > 123)
        {
            end--;
        }

        return reason[..end];
    }

    /// <summary>A running operation: cancelled and its event stream released when the client completes it or the socket ends.</summary>
    private sealed class Operation : IDisposable
    {
        private readonly Lock _gate = new();
        private IDisposable? _subscription;
        private bool _disposed;

        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>Keeps the stream's subscription, or releases it at once when the operation already ended.</summary>
        public void Attach(IDisposable subscription)
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    _subscription = subscription;
                    return;
                }
            }

            subscription.Dispose();
        }

        public void Dispose()
        {
            IDisposable? subscription;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                subscription = _subscription;
                _subscription = null;
            }

            subscription?.Dispose();
            Cancellation.Cancel();
            Cancellation.Dispose();
        }
    }
}
