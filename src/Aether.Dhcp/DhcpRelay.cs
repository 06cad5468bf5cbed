using System.Buffers;
using Aether.Dhcp.Internal;

namespace Aether.Dhcp;

/// <summary>
/// Packet-level DHCP relay rewrites (RFC 1542 section 4, RFC 2131 section 4.1, RFC 3046 section 2). Both
/// directions copy the message into a caller's buffer, which must not overlap the input, and allocate nothing.
/// </summary>
public static class DhcpRelay
{
    /// <summary>The buffer size callers should use for a rewritten message.</summary>
    public const int MaxMessageSize = 1500;

    /// <summary>A request is not grown past this so that it still fits a 1500-octet MTU with IPv4 and UDP headers.</summary>
    public const int MaxRelayedMessageLength = MaxMessageSize - Ipv4HeaderLength - UdpHeaderLength;

    /// <summary>A relay agent sub-option: code, length and up to 255 octets (RFC 3046 section 2.0).</summary>
    private const int SubOptionMaxEncodedLength = 2 + byte.MaxValue;

    /// <summary>Circuit-id, remote-id and relay-id at their largest; also holds one incoming instance plus a relay-id.</summary>
    private const int MaxComposedLength = 3 * SubOptionMaxEncodedLength;

    private const int Ipv4HeaderLength = 20;
    private const int UdpHeaderLength = 8;

    /// <summary>
    /// Client to server: copies <paramref name="request"/> into <paramref name="destination"/> with hops, giaddr and
    /// option 82 rewritten as <paramref name="rewrite"/> says. Option 82 goes last, just before End (RFC 3046 section 2.1).
    /// </summary>
    public static RelayRewriteError RewriteForServer(
        ReadOnlySpan<byte> request, Span<byte> destination, scoped in RelayRewrite rewrite, out int written)
    {
        written = 0;
        RelayAgentComposer.Validate(rewrite);
        if (DhcpPacket.TryParse(request, out var packet) != DhcpParseError.None)
        {
            return RelayRewriteError.Malformed;
        }

        if (!packet.IsRequest)
        {
            return RelayRewriteError.WrongDirection;
        }

        byte hops = packet.Hops;
        if (hops > rewrite.MaxHops)
        {
            return RelayRewriteError.HopLimitExceeded;
        }

        if (rewrite.IncrementHops)
        {
            if (hops == byte.MaxValue)
            {
                return RelayRewriteError.HopLimitExceeded;
            }

            hops++;
        }

        var gatewayIp = packet.GatewayIp.IsAny ? rewrite.GatewayIp : packet.GatewayIp;

        // Our sub-options, or a single incoming instance plus our relay-id, fit on the stack; an incoming option 82
        // split across instances (RFC 3396) is joined in a pooled buffer.
        scoped ReadOnlySpan<byte> incoming = default;
        scoped Span<byte> composed;
        byte[]? rented = null;
        int instances = packet.CountOption(DhcpOptionCode.RelayAgentInformation);
        if (instances <= 1)
        {
            _ = packet.TryGetOption(DhcpOptionCode.RelayAgentInformation, out incoming);
            composed = stackalloc byte[MaxComposedLength];
        }
        else
        {
            int incomingLength = packet.GetOptionLength(DhcpOptionCode.RelayAgentInformation);
            rented = ArrayPool<byte>.Shared.Rent((2 * incomingLength) + SubOptionMaxEncodedLength);
            _ = packet.TryGetOption(DhcpOptionCode.RelayAgentInformation, rented.AsSpan(0, incomingLength), out incoming);
            composed = rented.AsSpan(incomingLength);
        }

        try
        {
            if (!RelayAgentComposer.TryCompose(rewrite, instances > 0, incoming, composed, out var agentInfo, out var fallback))
            {
                return RelayRewriteError.Malformed;
            }

            var result = RelayRewriteError.None;
            int length = MessageLength(packet, agentInfo.Length);
            if (length > MaxRelayedMessageLength && length > request.Length)
            {
                agentInfo = fallback;
                length = MessageLength(packet, agentInfo.Length);
                result = RelayRewriteError.OptionSpaceExhausted;
            }

            if (length > destination.Length)
            {
                return RelayRewriteError.DestinationTooSmall;
            }

            written = WriteMessage(packet, destination, hops, gatewayIp, agentInfo, length);
            return result;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Server to client: copies <paramref name="reply"/> into <paramref name="destination"/> without option 82
    /// (RFC 3046 section 2.2: the relay strips it before forwarding). Hops and giaddr are left as the server set them.
    /// </summary>
    public static RelayRewriteError RewriteForClient(ReadOnlySpan<byte> reply, Span<byte> destination, out int written)
    {
        written = 0;
        if (DhcpPacket.TryParse(reply, out var packet) != DhcpParseError.None)
        {
            return RelayRewriteError.Malformed;
        }

        if (!packet.IsReply)
        {
            return RelayRewriteError.WrongDirection;
        }

        int length = MessageLength(packet, 0);
        if (length > destination.Length)
        {
            return RelayRewriteError.DestinationTooSmall;
        }

        written = WriteMessage(packet, destination, packet.Hops, packet.GatewayIp, default, length);
        return RelayRewriteError.None;
    }

    /// <summary>
    /// Where a relay sends a reply on the client's link (RFC 2131 section 4.1, RFC 1542 section 5.4): broadcast when
    /// the BROADCAST bit is set (always so for a relayed DHCPNAK, RFC 2131 section 4.3.2), else unicast to yiaddr,
    /// else to ciaddr (a DHCPACK to DHCPINFORM), else broadcast.
    /// </summary>
    public static Ipv4Address ClientDestination(scoped in DhcpPacket reply)
    {
        if (reply.Broadcast || reply.MessageType == DhcpMessageType.Nak)
        {
            return Ipv4Address.Broadcast;
        }

        if (!reply.YourIp.IsAny)
        {
            return reply.YourIp;
        }

        return reply.ClientIp.IsAny ? Ipv4Address.Broadcast : reply.ClientIp;
    }

    /// <summary>Fixed part, the options field without option 82, option 82 as instances of at most 255 octets
    /// (RFC 3396), End, then padding up to the BOOTP minimum.</summary>
    private static int MessageLength(scoped in DhcpPacket packet, int agentInfoLength)
    {
        int length = BootpLayout.OptionsOffset + OptionsWithoutAgentInfoLength(packet)
            + EncodedLength(agentInfoLength) + 1;
        return Math.Max(length, BootpLayout.MinimumBootpLength);
    }

    private static int OptionsWithoutAgentInfoLength(scoped in DhcpPacket packet)
    {
        int length = 0;
        var reader = new OptionReader(packet.GetArea(0));
        while (reader.MoveNext())
        {
            if (reader.Code != DhcpOptionCode.RelayAgentInformation)
            {
                length += reader.EncodedLength;
            }
        }

        return length;
    }

    private static int EncodedLength(int valueLength)
    {
        int instances = (valueLength + BootpLayout.MaxOptionValueLength - 1) / BootpLayout.MaxOptionValueLength;
        return valueLength + (instances * BootpLayout.OptionHeaderLength);
    }

    private static int WriteMessage(
        scoped in DhcpPacket packet,
        Span<byte> destination,
        byte hops,
        Ipv4Address gatewayIp,
        ReadOnlySpan<byte> agentInfo,
        int length)
    {
        var raw = packet.Raw;
        raw[..BootpLayout.OptionsOffset].CopyTo(destination);
        destination[BootpLayout.HopsOffset] = hops;
        gatewayIp.Write(destination[BootpLayout.GatewayIpOffset..]);

        // Option 82 inside an overloaded file/sname field becomes Pad so those fields keep their size.
        BlankAgentInfo(packet, 1, destination.Slice(BootpLayout.BootFileOffset, BootpLayout.BootFileLength));
        BlankAgentInfo(packet, 2, destination.Slice(BootpLayout.ServerNameOffset, BootpLayout.ServerNameLength));

        int position = BootpLayout.OptionsOffset;
        var options = packet.GetArea(0);
        var reader = new OptionReader(options);
        while (reader.MoveNext())
        {
            if (reader.Code != DhcpOptionCode.RelayAgentInformation)
            {
                options.Slice(reader.Offset, reader.EncodedLength).CopyTo(destination[position..]);
                position += reader.EncodedLength;
            }
        }

        position = OptionWriter.WriteSplit(destination, position, DhcpOptionCode.RelayAgentInformation, agentInfo);
        destination[position++] = DhcpOptionCode.End;
        destination[position..length].Clear();
        return length;
    }

    private static void BlankAgentInfo(scoped in DhcpPacket packet, int area, Span<byte> field)
    {
        var reader = new OptionReader(packet.GetArea(area));
        while (reader.MoveNext())
        {
            if (reader.Code == DhcpOptionCode.RelayAgentInformation)
            {
                field.Slice(reader.Offset, reader.EncodedLength).Clear();
            }
        }
    }
}
