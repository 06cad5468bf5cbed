using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Aether.Radius.Internal;
using Microsoft.Extensions.Logging;

namespace Aether.Radius;

/// <summary>
/// Sends Access- and Accounting-Requests to the configured servers in order, retransmitting with backoff
/// (the same Identifier and authenticator, RFC 5080 2.2.1) and failing over when a server does not answer; such a
/// server is then skipped for <see cref="RadiusClientOptions.DeadServerHoldDown"/>. Every request carries a
/// Message-Authenticator and every Access-* response must carry a valid one (RFC 3579 3.2, CVE-2024-3596).
/// Thread-safe; at most 256 × <see cref="RadiusClientOptions.SocketCount"/> requests are in flight, later ones wait.
/// </summary>
public sealed partial class RadiusClient : IAsyncDisposable
{
    private readonly RadiusClientOptions _options;
    private readonly ILogger<RadiusClient> _logger;
    private readonly TimeProvider _time;
    private readonly ServerState[] _servers;
    private readonly ClientSocket[] _sockets;
    private readonly SemaphoreSlim _identifiers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly bool _dualMode;
    private int _nextSocket;
    private int _disposed;

    public RadiusClient(RadiusClientOptions options, ILogger<RadiusClient> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid RADIUS client options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _servers = [.. options.Servers.Select(s => new ServerState(s))];
        _dualMode = Socket.OSSupportsIPv6;
        _sockets = new ClientSocket[options.SocketCount];
        for (var i = 0; i < _sockets.Length; i++)
        {
            _sockets[i] = new ClientSocket(_dualMode);
        }

        _identifiers = new SemaphoreSlim(_sockets.Length * ClientSocket.IdentifierCount);
        foreach (var socket in _sockets)
        {
            socket.ReceiveLoop = Task.Run(() => ReceiveLoopAsync(socket, _stopping.Token));
        }

        RadiusMetrics.Register(this);
    }

    public RadiusClientStatistics Statistics { get; } = new();

    /// <summary>Sends an Access-Request (or Status-Server) to the servers' authentication port.</summary>
    /// <exception cref="RadiusTimeoutException">No server answered.</exception>
    /// <exception cref="RadiusProtocolException">Only responses failing the authenticator checks came back.</exception>
    public Task<RadiusResponse> AuthenticateAsync(RadiusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Code is not (RadiusCode.AccessRequest or RadiusCode.StatusServer))
        {
            throw new ArgumentException($"AuthenticateAsync sends Access-Request or Status-Server, not {request.Code}.", nameof(request));
        }

        return SendAsync(request, accounting: false, cancellationToken);
    }

    /// <summary>Sends an Accounting-Request to the servers' accounting port.</summary>
    /// <exception cref="RadiusTimeoutException">No server answered.</exception>
    /// <exception cref="RadiusProtocolException">Only responses failing the authenticator checks came back.</exception>
    public Task<RadiusResponse> AccountAsync(RadiusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Code != RadiusCode.AccountingRequest)
        {
            throw new ArgumentException($"AccountAsync sends Accounting-Request, not {request.Code}.", nameof(request));
        }

        return SendAsync(request, accounting: true, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        RadiusMetrics.Unregister(this);
        await _stopping.CancelAsync();
        foreach (var socket in _sockets)
        {
            foreach (var pending in socket.InFlight())
            {
                pending.Completion.TrySetException(new ObjectDisposedException(nameof(RadiusClient)));
            }

            socket.Dispose();
        }

        await Task.WhenAll(_sockets.Select(s => s.ReceiveLoop ?? Task.CompletedTask));
        _stopping.Dispose();
    }

    private async Task<RadiusResponse> SendAsync(RadiusRequest request, bool accounting, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Statistics.Request();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var token = linked.Token;
        await _identifiers.WaitAsync(token);
        var pending = new PendingRequest(request.Code);
        var (socket, identifier) = AcquireIdentifier(pending);
        var buffer = ArrayPool<byte>.Shared.Rent(RadiusConstants.MaxPacketLength);
        try
        {
            foreach (var server in ServersInOrder())
            {
                var response = await TryServerAsync(request, accounting, server, socket, identifier, pending, buffer, token);
                if (response is not null)
                {
                    Statistics.Outcome(succeeded: true, _time.GetUtcNow());
                    return response;
                }
            }

            Statistics.Timeout();
            Statistics.Outcome(succeeded: false, _time.GetUtcNow());
            RadiusMetrics.Timeouts.Add(1, new KeyValuePair<string, object?>(RadiusMetrics.KindLabel, RadiusMetrics.Kind(accounting)));
            var kind = accounting ? "accounting" : "authentication";
            if (pending.InvalidResponses > 0)
            {
                Log.NoValidResponse(_logger, request.Code, identifier, pending.InvalidResponses);
                throw new RadiusProtocolException(
                    $"No valid answer to {request.Code} from any {kind} server; {pending.InvalidResponses} response(s) failed the authenticator checks (check the shared secret).");
            }

            Log.AllServersTimedOut(_logger, request.Code, identifier, _servers.Length);
            throw new RadiusTimeoutException($"No {kind} server answered {request.Code} ({_servers.Length} server(s), {_options.Retries} retransmission(s) each).");
        }
        finally
        {
            pending.Current = null;
            socket.Release(identifier, pending);
            ArrayPool<byte>.Shared.Return(buffer);
            _identifiers.Release();
        }
    }

    /// <summary>Sends to one server with retransmissions; null when it never answered validly.</summary>
    private async Task<RadiusResponse?> TryServerAsync(
        RadiusRequest request, bool accounting, ServerState server, ClientSocket socket, byte identifier, PendingRequest pending, byte[] buffer, CancellationToken cancellationToken)
    {
        IPEndPoint endpoint;
        try
        {
            endpoint = await server.ResolveAsync(accounting, _dualMode, cancellationToken);
        }
        catch (SocketException ex)
        {
            Log.ResolveFailed(_logger, server.Endpoint.Host, ex.SocketErrorCode);
            HoldDown(server);
            return null;
        }

        var length = RadiusPacketWriter.WriteRequest(buffer, request.Code, identifier, request.Attributes, server.Secret);
        var requestAuthenticator = buffer.AsSpan(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength).ToArray();
        var attempt = new PendingRequest.Attempt(server, endpoint, requestAuthenticator);
        pending.Current = attempt;

        var timeout = _options.Timeout;
        for (var transmission = 0; transmission <= _options.Retries; transmission++)
        {
            if (transmission > 0)
            {
                Statistics.Retransmission();
                Log.Retransmitting(_logger, request.Code, identifier, endpoint, transmission);
            }

            attempt.SentAt = _time.GetTimestamp();
            try
            {
                await socket.Socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, endpoint, cancellationToken);
            }
            catch (SocketException ex)
            {
                // E.g. no route: as good as a silent server.
                Log.SendFailed(_logger, endpoint, ex.SocketErrorCode);
                break;
            }

            try
            {
                var response = await pending.Completion.Task.WaitAsync(timeout, _time, cancellationToken);
                RadiusMetrics.Requests.Add(1, RadiusMetrics.Server(server), new(RadiusMetrics.KindLabel, RadiusMetrics.Kind(accounting)), new(RadiusMetrics.ResultLabel, "answered"));
                RadiusMetrics.RequestDuration.Record(response.RoundTrip.TotalSeconds, RadiusMetrics.Server(server), new KeyValuePair<string, object?>(RadiusMetrics.KindLabel, RadiusMetrics.Kind(accounting)));
                if (server.MarkUp())
                {
                    Log.ServerUp(_logger, endpoint);
                }

                return response;
            }
            catch (TimeoutException)
            {
                // RFC 5080 2.2.1: back off, bounded.
                timeout = TimeSpan.FromTicks(Math.Min(timeout.Ticks * 2, _options.MaxRetransmitTimeout.Ticks));
            }
        }

        RadiusMetrics.Requests.Add(1, RadiusMetrics.Server(server), new(RadiusMetrics.KindLabel, RadiusMetrics.Kind(accounting)), new(RadiusMetrics.ResultLabel, "no-answer"));
        HoldDown(server);
        Log.ServerDown(_logger, endpoint, request.Code, _options.Retries + 1, _options.DeadServerHoldDown);
        return null;
    }

    /// <summary>Each configured server by host, and whether it is in service (not held down) now.</summary>
    internal IEnumerable<(string Server, bool Up)> ServerStates()
    {
        var now = _time.GetTimestamp();
        return _servers.Select(s => (s.Endpoint.Host, !s.IsDown(now)));
    }

    private void HoldDown(ServerState server) =>
        server.MarkDown(_time.GetTimestamp() + (long)(_options.DeadServerHoldDown.TotalSeconds * _time.TimestampFrequency));

    /// <summary>Servers that are up in configured order, then those held down, so a request is never refused untried.</summary>
    private IEnumerable<ServerState> ServersInOrder()
    {
        var now = _time.GetTimestamp();
        var down = new List<ServerState>();
        foreach (var server in _servers)
        {
            if (server.IsDown(now))
            {
                down.Add(server);
            }
            else
            {
                yield return server;
            }
        }

        foreach (var server in down)
        {
            yield return server;
        }
    }

    private (ClientSocket Socket, byte Identifier) AcquireIdentifier(PendingRequest pending)
    {
        // The semaphore guarantees a free Identifier on some socket.
        while (true)
        {
            var start = (int)((uint)Interlocked.Increment(ref _nextSocket) % (uint)_sockets.Length);
            for (var i = 0; i < _sockets.Length; i++)
            {
                var socket = _sockets[(start + i) % _sockets.Length];
                if (socket.TryAcquire(pending, out var identifier))
                {
                    return (socket, identifier);
                }
            }
        }
    }
}
