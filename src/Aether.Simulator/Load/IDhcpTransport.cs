using Aether.Dhcp;

namespace Aether.Simulator.Load;

/// <summary>Where the synthetic clients' messages go and their replies come from.</summary>
internal interface IDhcpTransport : IDisposable
{
    /// <summary>One line for the report, e.g. "l2 on veth0" or "relay 198.18.0.1:67 from 100.64.0.1:67".</summary>
    string Description { get; }

    /// <summary>Frames or datagrams taken in that were not a DHCP reply (counted, not an error).</summary>
    long Ignored { get; }

    /// <summary>Begins delivering replies to <paramref name="onReply"/>, from the transport's own thread.</summary>
    void Start(Action<DoraReply> onReply);

    /// <summary>Sends <paramref name="payload"/> (a BOOTP message) for <paramref name="session"/>; false when it could not.</summary>
    bool Send(DoraSession session, DhcpMessageType type, ReadOnlySpan<byte> payload);
}

/// <summary>Turns a received BOOTP message into a <see cref="DoraReply"/>.</summary>
internal static class ReplyReader
{
    public static bool TryRead(ReadOnlySpan<byte> payload, ulong serverMac, long receivedAt, out DoraReply reply)
    {
        reply = default;
        if (DhcpPacket.TryParse(payload, out var packet) != DhcpParseError.None || !packet.IsReply)
        {
            return false;
        }

        var type = packet.MessageType;
        if (type is not (DhcpMessageType.Offer or DhcpMessageType.Ack or DhcpMessageType.Nak))
        {
            return false;
        }

        // RFC 2131 section 4.3.1: the server identifier option; siaddr only as a fallback for odd servers.
        var serverId = packet.TryGetIpv4Option(DhcpOptionCode.ServerIdentifier, out var id) ? id : packet.ServerIp;
        reply = new DoraReply(
            packet.TransactionId,
            SubscriberPlan.PackMac(packet.ClientHardwareAddress),
            type,
            packet.YourIp,
            serverId,
            serverMac,
            receivedAt);
        return true;
    }
}
