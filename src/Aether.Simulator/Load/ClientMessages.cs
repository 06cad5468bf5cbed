using System.Buffers.Binary;
using System.Text;
using Aether.Dhcp;

namespace Aether.Simulator.Load;

/// <summary>How the synthetic clients' messages are shaped; one per run.</summary>
/// <param name="GatewayIp">0 for a client behind a layer-2 access node; the relay's address in relay mode.</param>
/// <param name="Hops">0 from a client; 1 when the simulator stands in for a relay (RFC 1542 section 4.1.1).</param>
/// <param name="Broadcast">Ask for broadcast replies (RFC 2131 section 4.1); off, servers unicast to chaddr.</param>
/// <param name="Option82">Include the access node's Option 82.</param>
internal sealed record ClientMessageShape(Ipv4Address GatewayIp, byte Hops, bool Broadcast, bool Option82);

/// <summary>
/// Writes the DHCP messages of a synthetic client (RFC 2131 section 4.4.1 table 5) straight into the caller's
/// buffer: the load test sends tens of thousands a second, so this path neither allocates nor lays out options
/// generally as <see cref="DhcpMessage"/> does. Every message parses with <see cref="DhcpPacket"/> (tested).
/// </summary>
internal sealed class ClientMessages
{
    // RFC 2131 section 2, figure 1: the fixed BOOTP header.
    private const int OpOffset = 0;
    private const int HardwareTypeOffset = 1;
    private const int HardwareLengthOffset = 2;
    private const int HopsOffset = 3;
    private const int TransactionIdOffset = 4;
    private const int SecondsOffset = 8;
    private const int FlagsOffset = 10;
    private const int ClientIpOffset = 12;
    private const int GatewayIpOffset = 24;
    private const int ClientHardwareAddressOffset = 28;
    private const int MagicCookieOffset = 236;
    private const int OptionsOffset = 240;
    private const uint MagicCookie = 0x63825363;
    private const byte BootRequest = 1;
    private const ushort BroadcastFlag = 0x8000;

    /// <summary>RFC 1542 section 2.1: some relays and servers drop BOOTP messages shorter than 300 octets.</summary>
    private const int MinimumLength = 300;

    /// <summary>Subnet mask, router, DNS, domain name, lease time, server id: what a CPE typically asks for.</summary>
    private static readonly byte[] s_parameterRequestList =
    [
        DhcpOptionCode.SubnetMask, DhcpOptionCode.Router, DhcpOptionCode.DomainNameServer,
        DhcpOptionCode.DomainName, DhcpOptionCode.IpAddressLeaseTime, DhcpOptionCode.ServerIdentifier,
    ];

    private readonly byte[]?[] _option82;

    public ClientMessages(SubscriberPlan plan, ClientMessageShape shape, int subscribers = 0)
    {
        Plan = plan;
        Shape = shape;
        _option82 = new byte[]?[Math.Max(0, subscribers)];
    }

    public SubscriberPlan Plan { get; }

    public ClientMessageShape Shape { get; }

    public int WriteDiscover(DoraSession session, ushort seconds, Span<byte> destination)
    {
        int position = WriteHeader(session, DhcpMessageType.Discover, seconds, Shape.Broadcast, destination);
        position = WriteOption(destination, position, DhcpOptionCode.ParameterRequestList, s_parameterRequestList);
        return Finish(session, destination, position);
    }

    /// <summary>SELECTING-state REQUEST: server identifier and requested address from the OFFER, ciaddr 0.</summary>
    public int WriteRequest(DoraSession session, ushort seconds, Span<byte> destination)
    {
        int position = WriteHeader(session, DhcpMessageType.Request, seconds, Shape.Broadcast, destination);
        position = WriteAddressOption(destination, position, DhcpOptionCode.RequestedIpAddress, session.OfferedIp);
        if (!session.ServerId.IsAny)
        {
            position = WriteAddressOption(destination, position, DhcpOptionCode.ServerIdentifier, session.ServerId);
        }

        position = WriteOption(destination, position, DhcpOptionCode.ParameterRequestList, s_parameterRequestList);
        return Finish(session, destination, position);
    }

    /// <summary>RELEASE: ciaddr is the leased address, the server identifier is required (table 5).</summary>
    public int WriteRelease(DoraSession session, Span<byte> destination)
    {
        int position = WriteHeader(session, DhcpMessageType.Release, 0, broadcast: false, destination);
        session.OfferedIp.Write(destination[ClientIpOffset..]);
        if (!session.ServerId.IsAny)
        {
            position = WriteAddressOption(destination, position, DhcpOptionCode.ServerIdentifier, session.ServerId);
        }

        return Finish(session, destination, position);
    }

    private int WriteHeader(DoraSession session, DhcpMessageType type, ushort seconds, bool broadcast, Span<byte> destination)
    {
        destination[..OptionsOffset].Clear();
        destination[OpOffset] = BootRequest;
        destination[HardwareTypeOffset] = DhcpMessage.HardwareTypeEthernet;
        destination[HardwareLengthOffset] = SubscriberPlan.MacLength;
        destination[HopsOffset] = Shape.Hops;
        BinaryPrimitives.WriteUInt32BigEndian(destination[TransactionIdOffset..], session.TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[SecondsOffset..], seconds);
        BinaryPrimitives.WriteUInt16BigEndian(destination[FlagsOffset..], broadcast ? BroadcastFlag : (ushort)0);
        Shape.GatewayIp.Write(destination[GatewayIpOffset..]);
        Plan.WriteMac(session.Slot, destination[ClientHardwareAddressOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[MagicCookieOffset..], MagicCookie);
        destination[OptionsOffset] = DhcpOptionCode.MessageType;
        destination[OptionsOffset + 1] = 1;
        destination[OptionsOffset + 2] = (byte)type;
        return OptionsOffset + 3;
    }

    /// <summary>Option 82 goes last (RFC 3046 section 2.1), then End, then padding to the BOOTP minimum.</summary>
    private int Finish(DoraSession session, Span<byte> destination, int position)
    {
        if (Shape.Option82)
        {
            position = WriteOption(destination, position, DhcpOptionCode.RelayAgentInformation, RelayAgentInformation(session.Slot));
        }

        destination[position++] = DhcpOptionCode.End;
        if (position < MinimumLength)
        {
            destination[position..MinimumLength].Clear();
            position = MinimumLength;
        }

        return position;
    }

    private byte[] RelayAgentInformation(int slot)
    {
        if (slot < _option82.Length)
        {
            return _option82[slot] ??= Plan.RelayAgentInformation(slot);
        }

        return Plan.RelayAgentInformation(slot);
    }

    private static int WriteOption(Span<byte> destination, int position, byte code, ReadOnlySpan<byte> value)
    {
        destination[position] = code;
        destination[position + 1] = (byte)value.Length;
        value.CopyTo(destination[(position + 2)..]);
        return position + 2 + value.Length;
    }

    private static int WriteAddressOption(Span<byte> destination, int position, byte code, Ipv4Address address)
    {
        destination[position] = code;
        destination[position + 1] = Ipv4Address.Length;
        address.Write(destination[(position + 2)..]);
        return position + 2 + Ipv4Address.Length;
    }
}
