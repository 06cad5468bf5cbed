using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Radius.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aether.Radius.DynamicAuthorization;

/// <summary>
/// Listens for CoA-Request and Disconnect-Request (RFC 5176) from configured clients. A request from an unknown
/// address, with a wrong Request Authenticator or a wrong (or, if required, missing) Message-Authenticator is
/// dropped and counted; a retransmission gets the cached answer. Answers carry a Message-Authenticator (RFC 5176 3.3)
/// and the request's Proxy-State attributes in order (RFC 2865 5.33).
/// </summary>
public sealed partial class DynamicAuthorizationServer : BackgroundService
{
    private readonly DynamicAuthorizationOptions _options;
    private readonly Func<DynamicAuthorizationRequest, CancellationToken, ValueTask<DynamicAuthorizationResult>> _handler;
    private readonly ILogger<DynamicAuthorizationServer> _logger;
    private readonly Dictionary<IPAddress, KnownClient> _clients;
    private readonly DuplicateCache _duplicates;
    private readonly SemaphoreSlim _concurrency;
    private Socket? _socket;

    public DynamicAuthorizationServer(
        DynamicAuthorizationOptions options,
        Func<DynamicAuthorizationRequest, CancellationToken, ValueTask<DynamicAuthorizationResult>> handler,
        ILogger<DynamicAuthorizationServer> logger,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid dynamic authorization options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _handler = handler;
        _logger = logger;
        _clients = options.Clients.ToDictionary(
            c => DynamicAuthorizationOptions.Normalize(IPAddress.Parse(c.Address)),
            c => new KnownClient(string.IsNullOrEmpty(c.Name) ? c.Address : c.Name, Encoding.UTF8.GetBytes(c.Secret)));
        _duplicates = new DuplicateCache(timeProvider ?? TimeProvider.System, options.DuplicateWindow);
        _concurrency = new SemaphoreSlim(options.MaxConcurrentRequests);
    }

    public DynamicAuthorizationStatistics Statistics { get; } = new();

    /// <summary>The bound address, known once started (port 0 in the options binds a free port).</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(_options.Address);
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, _options.Port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        Log.Listening(_logger, LocalEndPoint!, _clients.Count);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _socket?.Dispose();
    }

    public override void Dispose()
    {
        _socket?.Dispose();
        _concurrency.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var socket = _socket ?? throw new InvalidOperationException("The server was not started.");
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var handlers = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _concurrency.WaitAsync(stoppingToken);
                var buffer = ArrayPool<byte>.Shared.Rent(RadiusConstants.MaxPacketLength);
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stoppingToken);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    _concurrency.Release();
                    continue;
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    _concurrency.Release();
                    throw;
                }

                handlers.RemoveAll(t => t.IsCompleted);
                handlers.Add(ProcessAsync(socket, buffer, received.ReceivedBytes, (IPEndPoint)received.RemoteEndPoint, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(handlers);
    }

    private async Task ProcessAsync(Socket socket, byte[] buffer, int length, IPEndPoint source, CancellationToken stoppingToken)
    {
        try
        {
            // Let the receive loop go on before any work.
            await Task.Yield();
            await HandleAsync(socket, buffer.AsMemory(0, length), Normalize(source), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Statistics.CountFailed();
            RadiusMetrics.CountCoaDropped(CoaDropReasons.Failed);
            Log.ProcessingFailed(_logger, source, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _concurrency.Release();
        }
    }

    private async Task HandleAsync(Socket socket, ReadOnlyMemory<byte> datagram, IPEndPoint source, CancellationToken stoppingToken)
    {
        Statistics.CountReceived();
        if (!_clients.TryGetValue(source.Address, out var client))
        {
            Statistics.CountUnknownClient();
            RadiusMetrics.CountCoaDropped(CoaDropReasons.UnknownClient);
            Log.UnknownClient(_logger, source);
            return;
        }

        if (!RadiusPacket.TryParse(datagram.Span, out var packet, out var error))
        {
            Statistics.CountMalformed();
            RadiusMetrics.CountCoaDropped(CoaDropReasons.Malformed);
            Log.Malformed(_logger, client.Name, source, error);
            return;
        }

        if (packet.Code is not (RadiusCode.CoaRequest or RadiusCode.DisconnectRequest))
        {
            Statistics.CountUnsupportedCode();
            RadiusMetrics.CountCoaDropped(CoaDropReasons.UnsupportedCode);
            Log.UnsupportedCode(_logger, packet.Code, client.Name, source);
            return;
        }

        if (!RadiusAuthenticators.VerifyRequest(packet.Raw.Span, client.Secret))
        {
            Statistics.CountInvalidAuthenticator();
            RadiusMetrics.CountCoaDropped(CoaDropReasons.BadAuthenticator);
            Log.InvalidAuthenticator(_logger, packet.Code, packet.Identifier, client.Name, source);
            return;
        }

        // RFC 5176 3.3: computed with a zero Request Authenticator.
        var messageAuthenticator = RadiusAuthenticators.VerifyMessageAuthenticator(packet.Raw.Span, new byte[RadiusConstants.AuthenticatorLength], client.Secret);
        if (messageAuthenticator == MessageAuthenticatorStatus.Invalid
            || (messageAuthenticator == MessageAuthenticatorStatus.Absent && _options.RequireMessageAuthenticator))
        {
            Statistics.CountInvalidMessageAuthenticator();
            RadiusMetrics.CountCoaDropped(CoaDropReasons.BadMessageAuthenticator);
            Log.InvalidMessageAuthenticator(_logger, packet.Code, packet.Identifier, client.Name, source, messageAuthenticator);
            return;
        }

        switch (_duplicates.TryBegin(source, packet.Identifier, packet.Authenticator.Span, out var cached))
        {
            case DuplicateCache.Lookup.Answered:
                Statistics.CountDuplicate();
                Log.Duplicate(_logger, packet.Code, packet.Identifier, source);
                await socket.SendToAsync(cached, SocketFlags.None, source, stoppingToken);
                return;
            case DuplicateCache.Lookup.InProgress:
                Statistics.CountDuplicate();
                RadiusMetrics.CountCoaDropped(CoaDropReasons.InProgress);
                Log.Duplicate(_logger, packet.Code, packet.Identifier, source);
                return;
        }

        byte[]? answer = null;
        try
        {
            var request = new DynamicAuthorizationRequest(packet.Code, packet.Identifier, packet.Attributes, source, client.Name);
            var result = await DecideAsync(request, stoppingToken);
            answer = Encode(packet, result, client.Secret);
            Log.Answered(_logger, packet.Code, packet.Identifier, client.Name, source, request.AcctSessionId, result.Acknowledged, result.ErrorCause);
            await socket.SendToAsync(answer, SocketFlags.None, source, stoppingToken);
            // Counted once sent, so that every datagram lands in exactly one outcome (a failed send is Failed).
            Statistics.CountAnswer(result.Acknowledged);
        }
        finally
        {
            _duplicates.Complete(source, packet.Identifier, packet.Authenticator.Span, answer);
        }
    }

    private async ValueTask<DynamicAuthorizationResult> DecideAsync(DynamicAuthorizationRequest request, CancellationToken stoppingToken)
    {
        try
        {
            return await _handler(request, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Statistics.CountHandlerFailure();
            Log.HandlerFailed(_logger, request.Code, request.Identifier, request.Source, request.AcctSessionId, ex);
            return DynamicAuthorizationResult.Nak(ErrorCause.ResourcesUnavailable);
        }
    }

    private static byte[] Encode(RadiusPacket request, DynamicAuthorizationResult result, byte[] secret)
    {
        var code = (request.Code, result.Acknowledged) switch
        {
            (RadiusCode.CoaRequest, true) => RadiusCode.CoaAck,
            (RadiusCode.CoaRequest, false) => RadiusCode.CoaNak,
            (_, true) => RadiusCode.DisconnectAck,
            _ => RadiusCode.DisconnectNak,
        };
        var attributes = new List<RadiusAttribute>(result.Attributes.Count + 2);
        attributes.AddRange(result.Attributes.Where(a => a.IsVendor || a.Type is not (RadiusAttributeType.ErrorCause or RadiusAttributeType.ProxyState)));
        if (result.ErrorCause is { } cause)
        {
            attributes.Add(RadiusAttribute.FromUInt32(RadiusAttributeType.ErrorCause, (uint)cause));
        }

        attributes.AddRange(request.Attributes.Where(a => a.Type == RadiusAttributeType.ProxyState && !a.IsVendor));
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        var length = RadiusPacketWriter.WriteResponse(buffer, code, request.Identifier, request.Authenticator.Span, attributes, secret);
        return buffer.AsSpan(0, length).ToArray();
    }

    private static IPEndPoint Normalize(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;

    private sealed record KnownClient(string Name, byte[] Secret);
}
