using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Agent.Sessions;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Aether.Dhcp.Framing;

namespace Aether.Agent.Dhcp;

internal sealed partial class RelayService
{
    private static readonly byte[] BroadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    // Replies are handled concurrently: a DHCPACK waits for its kernel programming and state write (group
    // committed), and one subscriber's wait must not hold up every other reply. Bounded, so a flood cannot
    // grow memory without limit.
    private const int MaxRepliesInFlight = 4096;
    private readonly SemaphoreSlim _replySlots = new(MaxRepliesInFlight, MaxRepliesInFlight);

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
            var length = received.ReceivedBytes;
            var copy = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(0, length).CopyTo(copy);
            try
            {
                await _replySlots.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                ArrayPool<byte>.Shared.Return(copy);
                return;
            }
            _ = HandleReplyInBackgroundAsync(copy, length, cancellationToken);
        }
    }

    private async Task HandleReplyInBackgroundAsync(byte[] copy, int length, CancellationToken cancellationToken)
    {
        try
        {
            await HandleServerReplyAsync(copy.AsMemory(0, length), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            _counters.Drop(RelayCounters.ServerSide, DropReason.InternalError);
            LogReplyFailed(ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
            _replySlots.Release();
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
                _counters.Drop(RelayCounters.ServerSide, DropReason.MalformedReply);
                return;
            }
            port = _capture.FindByGateway(packet.GatewayIp);
            if (port is null)
            {
                _counters.Drop(RelayCounters.ServerSide, DropReason.UnknownGiaddr);
                return;
            }
            type = packet.MessageType;
            yiaddr = packet.YourIp;
            // The server echoes Option 82 (RFC 3046 2.2): the line the request came from, as relayed.
            var info = packet.RelayAgentInformation;
            key = new SubscriberKey(FormatMac(packet.ClientHardwareAddress),
                info.IsPresent ? Encoding.UTF8.GetString(info.CircuitId) : port.InsertedCircuitId,
                info.IsPresent ? Encoding.UTF8.GetString(info.RemoteId) : port.InsertedRemoteId);
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
            using var setup = Telemetry.SetupTrace.OnAck(key.Mac);
            if (!await _sessions.OnAckAsync(port.Name, key, identity, yiaddr, leaseSeconds, cancellationToken))
            {
                _counters.Drop(port.Name, DropReason.SessionNotCreated);
                return;
            }
        }
        SendToClient(port, reply.Span);
        if (type == DhcpMessageType.Ack)
        {
            Telemetry.SetupTrace.Completed(key.Mac);
        }
    }

    private void SendToClient(SubscriberPort port, ReadOnlySpan<byte> reply)
    {
        Span<byte> payload = stackalloc byte[DhcpRelay.MaxMessageSize];
        var error = DhcpRelay.RewriteForClient(reply, payload, out var written);
        if (error != RelayRewriteError.None)
        {
            _counters.Drop(port.Name, DropReason.RewriteFailed);
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
}
