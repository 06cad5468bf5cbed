using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Agent.Control;
using Aether.Agent.Sessions;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Aether.Dhcp.Framing;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Dhcp;

/// <summary>
/// The BNG's DHCP relay (RFC 2131 4.1, RFC 3046): client requests captured on subscriber-facing interfaces
/// are authorized by the controller, relayed to the DHCP server with giaddr and relay-id set, and the
/// server's replies are returned to the client with Option 82 removed. A DHCPACK creates the session
/// before the client sees it.
/// </summary>
internal sealed partial class RelayService : BackgroundService
{
    private const ushort ServerPort = 67;
    private const ushort ClientPort = 68;
    private static readonly byte[] BroadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    private readonly AgentOptions _options;
    private readonly SubscriberCapture _capture;
    private readonly SessionManager _sessions;
    private readonly RelayCounters _counters;
    private readonly ILogger<RelayService> _logger;
    private readonly IPEndPoint _server;
    private readonly byte[] _relayId;
    private readonly Dictionary<Ipv4Address, Socket> _serverSockets = [];

    public RelayService(IOptions<AgentOptions> options, SubscriberCapture capture, SessionManager sessions, RelayCounters counters, ILogger<RelayService> logger)
    {
        _options = options.Value;
        _capture = capture;
        _sessions = sessions;
        _counters = counters;
        _logger = logger;
        _server = new IPEndPoint(IPAddress.Parse(_options.DhcpServer), _options.DhcpServerPort);
        _relayId = Encoding.ASCII.GetBytes(_options.BngId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _capture.Start();
        var receivers = new List<Task>();
        foreach (var port in _capture.Ports)
        {
            if (_serverSockets.ContainsKey(port.GatewayIp))
            {
                continue;
            }
            // Bound to giaddr:67, not to 0.0.0.0, so that subscribers' broadcasts never reach this socket:
            // the server answers the relay at giaddr (RFC 2131 4.1).
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(port.GatewayIp.ToIPAddress(), ServerPort));
            _serverSockets[port.GatewayIp] = socket;
            receivers.Add(ReceiveFromServerAsync(socket, stoppingToken));
        }
        LogRelaying(_server.ToString(), _options.BngId);

        await foreach (var frame in _capture.Frames.ReadAllAsync(stoppingToken))
        {
            try
            {
                HandleClientFrame(frame, stoppingToken);
            }
            catch (Exception ex)
            {
                _counters.Drop("internal-error");
                LogFrameFailed(frame.Port.Name, ex);
                frame.Return();
            }
        }
        await Task.WhenAll(receivers);
    }

    public override void Dispose()
    {
        foreach (var socket in _serverSockets.Values)
        {
            socket.Dispose();
        }
        base.Dispose();
    }

    // ---- client -> server ------------------------------------------------------------------------

    private void HandleClientFrame(CapturedFrame frame, CancellationToken cancellationToken)
    {
        if (!EthernetFrame.TryParseUdp(frame.Data, out var udp) || udp.DestinationPort != ServerPort)
        {
            _counters.Drop("not-dhcp");
            frame.Return();
            return;
        }
        var error = DhcpPacket.TryParse(udp.Payload, out var packet);
        if (error != DhcpParseError.None)
        {
            _counters.Drop("malformed");
            LogMalformed(frame.Port.Name, error.ToString());
            frame.Return();
            return;
        }
        if (packet.Op != 1)
        {
            _counters.Drop("not-a-request");
            frame.Return();
            return;
        }
        var info = packet.RelayAgentInformation;
        if (!info.IsPresent || info.CircuitId.IsEmpty)
        {
            // The access network must identify the subscriber's line (trusted Option 82).
            _counters.Drop("no-option-82");
            LogNoOption82(frame.Port.Name, FormatMac(packet.ClientHardwareAddress));
            frame.Return();
            return;
        }

        var mac = FormatMac(packet.ClientHardwareAddress);
        var key = new SubscriberKey(mac, Encoding.UTF8.GetString(info.CircuitId), Encoding.UTF8.GetString(info.RemoteId));
        var type = packet.MessageType;
        var xid = packet.TransactionId;
        var ciaddr = packet.ClientIp;
        packet.TryGetIpv4Option(DhcpOptionCode.RequestedIpAddress, out var requested);

        switch (type)
        {
            case DhcpMessageType.Release:
            case DhcpMessageType.Decline:
                RelayToServer(frame);
                var ip = type == DhcpMessageType.Release ? ciaddr : requested;
                _ = _sessions.OnClientEndAsync(mac, ip, "User-Request", type == DhcpMessageType.Release ? "DHCPRELEASE" : "DHCPDECLINE", cancellationToken);
                return;
            case DhcpMessageType.Discover:
            case DhcpMessageType.Request:
            case DhcpMessageType.Inform:
                break;
            default:
                _counters.Drop("unexpected-type");
                frame.Return();
                return;
        }

        var identity = new SubscriberIdentity
        {
            Mac = mac,
            CircuitId = key.CircuitId,
            RemoteId = key.RemoteId,
            RelayId = _options.BngId,
            Interface = frame.Port.Name,
            Giaddr = frame.Port.GatewayIp.ToString(),
        };
        var decision = _sessions.AuthorizeAsync(key, identity, xid, cancellationToken);
        if (decision.IsCompletedSuccessfully)
        {
            RelayIfAccepted(frame, decision.Result, key, type);
            return;
        }
        _ = AwaitAuthorizationAsync(frame, decision, key, type);
    }

    private async Task AwaitAuthorizationAsync(CapturedFrame frame, Task<AuthorizationDecision> decision, SubscriberKey key, DhcpMessageType type)
    {
        AuthorizationDecision result;
        try
        {
            result = await decision;
        }
        catch (Exception ex) when (ex is ControllerUnavailableException or OperationCanceledException)
        {
            _counters.Drop("controller-unavailable");
            LogAuthorizationUnavailable(key.Mac, key.CircuitId, ex.Message);
            frame.Return();
            return;
        }
        RelayIfAccepted(frame, result, key, type);
    }

    private void RelayIfAccepted(CapturedFrame frame, AuthorizationDecision decision, SubscriberKey key, DhcpMessageType type)
    {
        if (!decision.Accepted)
        {
            _counters.Drop("rejected");
            LogDroppedRejected(type.ToString(), key.Mac, key.CircuitId, key.RemoteId);
            frame.Return();
            return;
        }
        RelayToServer(frame);
    }

    private void RelayToServer(CapturedFrame frame)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(DhcpRelay.MaxMessageSize);
        try
        {
            if (!EthernetFrame.TryParseUdp(frame.Data, out var udp))
            {
                return;
            }
            var rewrite = new RelayRewrite
            {
                GatewayIp = frame.Port.GatewayIp,
                Policy = frame.Port.Options.Option82,
                RelayId = _relayId,
                IncrementHops = true,
                MaxHops = 16,
            };
            var error = DhcpRelay.RewriteForServer(udp.Payload, buffer, rewrite, out var written);
            if (error != RelayRewriteError.None)
            {
                _counters.Drop(error == RelayRewriteError.HopLimitExceeded ? "hop-limit" : "rewrite-failed");
                LogRewriteFailed(frame.Port.Name, error.ToString());
                return;
            }
            var socket = _serverSockets[frame.Port.GatewayIp];
            socket.SendTo(buffer.AsSpan(0, written), SocketFlags.None, _server);
            _counters.RelayedToServer();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            frame.Return();
        }
    }

    // ---- server -> client ------------------------------------------------------------------------

    private async Task ReceiveFromServerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[DhcpRelay.MaxMessageSize * 2];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogServerSocketError(ex.Message);
                continue;
            }
            try
            {
                await HandleServerReplyAsync(buffer.AsMemory(0, received.ReceivedBytes), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _counters.Drop("internal-error");
                LogReplyFailed(ex);
            }
        }
    }

    private async Task HandleServerReplyAsync(ReadOnlyMemory<byte> reply, CancellationToken cancellationToken)
    {
        SubscriberPort? port;
        DhcpMessageType type;
        SubscriberKey key;
        Ipv4Address yiaddr;
        uint leaseSeconds;
        {
            var error = DhcpPacket.TryParse(reply.Span, out var packet);
            if (error != DhcpParseError.None || packet.Op != 2)
            {
                _counters.Drop("malformed-reply");
                return;
            }
            port = _capture.FindByGateway(packet.GatewayIp);
            if (port is null)
            {
                _counters.Drop("unknown-giaddr");
                return;
            }
            type = packet.MessageType;
            yiaddr = packet.YourIp;
            var info = packet.RelayAgentInformation;
            key = new SubscriberKey(FormatMac(packet.ClientHardwareAddress),
                info.IsPresent ? Encoding.UTF8.GetString(info.CircuitId) : "",
                info.IsPresent ? Encoding.UTF8.GetString(info.RemoteId) : "");
            leaseSeconds = packet.TryGetUInt32Option(DhcpOptionCode.IpAddressLeaseTime, out var lease) ? lease : 0;
        }

        if (type == DhcpMessageType.Ack && !yiaddr.IsAny)
        {
            var identity = new SubscriberIdentity
            {
                Mac = key.Mac,
                CircuitId = key.CircuitId,
                RemoteId = key.RemoteId,
                RelayId = _options.BngId,
                Interface = port.Name,
                Giaddr = port.GatewayIp.ToString(),
            };
            // The data plane is ready before the client can use its address.
            if (!await _sessions.OnAckAsync(port.Name, key, identity, yiaddr, leaseSeconds, cancellationToken))
            {
                _counters.Drop("session-not-created");
                return;
            }
        }
        SendToClient(port, reply.Span);
    }

    private void SendToClient(SubscriberPort port, ReadOnlySpan<byte> reply)
    {
        Span<byte> payload = stackalloc byte[DhcpRelay.MaxMessageSize];
        var error = DhcpRelay.RewriteForClient(reply, payload, out var written);
        if (error != RelayRewriteError.None)
        {
            _counters.Drop("rewrite-failed");
            return;
        }
        DhcpPacket.TryParse(payload[..written], out var packet);
        // RFC 2131 4.1: to ciaddr when the client has one; broadcast when it asked for it (or for a NAK);
        // otherwise unicast to yiaddr at chaddr.
        Ipv4Address dstIp;
        scoped ReadOnlySpan<byte> dstMac;
        if (!packet.ClientIp.IsAny)
        {
            dstIp = packet.ClientIp;
            dstMac = packet.ClientHardwareAddress;
        }
        else if (packet.Broadcast || packet.MessageType == DhcpMessageType.Nak || packet.YourIp.IsAny)
        {
            dstIp = Ipv4Address.Broadcast;
            dstMac = BroadcastMac;
        }
        else
        {
            dstIp = packet.YourIp;
            dstMac = packet.ClientHardwareAddress;
        }
        Span<byte> frame = stackalloc byte[EthernetFrame.UdpHeadersLength + DhcpRelay.MaxMessageSize];
        var length = EthernetFrame.WriteUdp(frame, port.Mac, dstMac, port.GatewayIp, dstIp, ServerPort, ClientPort, payload[..written]);
        port.Send(frame[..length]);
        _counters.RelayedToClient();
    }

    private static string FormatMac(ReadOnlySpan<byte> mac) => Convert.ToHexString(mac).ToLowerInvariant() switch
    {
        var hex when hex.Length == 12 => string.Create(17, hex, static (span, h) =>
        {
            for (int i = 0, j = 0; i < 12; i += 2)
            {
                span[j++] = h[i];
                span[j++] = h[i + 1];
                if (j < 17)
                {
                    span[j++] = ':';
                }
            }
        }),
        var hex => hex,
    };

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Relaying DHCP to {Server} with relay-id {RelayId}")]
    private partial void LogRelaying(string server, string relayId);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Dropped malformed DHCP on {Interface}: {Error}")]
    private partial void LogMalformed(string @interface, string error);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Dropped DHCP from mac={Mac} on {Interface}: no Option 82 circuit-id from the access network")]
    private partial void LogNoOption82(string @interface, string mac);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Dropped {Type} from mac={Mac} circuit-id={CircuitId} remote-id={RemoteId}: not authorized")]
    private partial void LogDroppedRejected(string type, string mac, string circuitId, string remoteId);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "No authorization for mac={Mac} circuit-id={CircuitId}: {Reason}; request dropped, the client will retry")]
    private partial void LogAuthorizationUnavailable(string mac, string circuitId, string reason);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Could not relay a request from {Interface}: {Error}")]
    private partial void LogRewriteFailed(string @interface, string error);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Error, Message = "Failed to handle a frame from {Interface}")]
    private partial void LogFrameFailed(string @interface, Exception exception);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Error, Message = "Failed to handle a reply from the DHCP server")]
    private partial void LogReplyFailed(Exception exception);

    [LoggerMessage(EventId = 1508, Level = LogLevel.Warning, Message = "DHCP server socket error: {Error}")]
    private partial void LogServerSocketError(string error);
}
