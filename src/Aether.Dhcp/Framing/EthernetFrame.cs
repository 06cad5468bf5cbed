using System.Buffers.Binary;
using Aether.Dhcp.Internal;

namespace Aether.Dhcp.Framing;

/// <summary>
/// Ethernet II (IEEE 802.3 clause 3, optional single IEEE 802.1Q tag) / IPv4 (RFC 791) / UDP (RFC 768) framing
/// for DHCP on a raw socket.
/// </summary>
public static class EthernetFrame
{
    /// <summary>Untagged Ethernet, an option-less IPv4 header and a UDP header: 14 + 20 + 8.</summary>
    public const int UdpHeadersLength = EthernetHeaderLength + Ipv4MinHeaderLength + UdpHeaderLength;

    public const int MacLength = 6;
    public const ushort EtherTypeIpv4 = 0x0800;
    public const ushort EtherTypeVlan = 0x8100;
    public const int VlanTagLength = 4;
    public const ushort MaxVlanId = 0x0FFF;

    /// <summary>Largest UDP payload <see cref="WriteUdp"/> accepts: the IPv4 total length is 16 bits.</summary>
    public const int MaxUdpPayloadLength = ushort.MaxValue - Ipv4MinHeaderLength - UdpHeaderLength;

    internal const int EthernetHeaderLength = 14;
    internal const int Ipv4MinHeaderLength = 20;
    internal const int UdpHeaderLength = 8;

    private const int DestinationMacOffset = 0;
    private const int SourceMacOffset = 6;
    private const int EtherTypeOffset = 12;
    private const int VlanTciOffset = 14;

    // IPv4 header, RFC 791 section 3.1, offsets from the start of the IP header.
    private const int IpVersionIhlOffset = 0;
    private const int IpTosOffset = 1;
    private const int IpTotalLengthOffset = 2;
    private const int IpIdentificationOffset = 4;
    private const int IpFlagsFragmentOffset = 6;
    private const int IpTtlOffset = 8;
    private const int IpProtocolOffset = 9;
    private const int IpChecksumOffset = 10;
    private const int IpSourceOffset = 12;
    private const int IpDestinationOffset = 16;
    private const byte IpVersion4 = 4;
    private const int IhlWordLength = 4;
    private const byte IhlMask = 0x0F;
    private const ushort MoreFragmentsFlag = 0x2000;
    private const ushort FragmentOffsetMask = 0x1FFF;
    private const byte ProtocolUdp = 17;
    private const byte Version4Ihl5 = (IpVersion4 << 4) | (Ipv4MinHeaderLength / IhlWordLength);

    // UDP header, RFC 768.
    private const int UdpSourcePortOffset = 0;
    private const int UdpDestinationPortOffset = 2;
    private const int UdpLengthOffset = 4;
    private const int UdpChecksumOffset = 6;

    /// <summary>
    /// Parses Ethernet II (+ one optional 802.1Q tag) / IPv4 (options allowed, not fragmented, header checksum
    /// verified) / UDP. False for any other protocol, truncation or inconsistent lengths; the UDP checksum is not
    /// verified (see <see cref="VerifyUdpChecksum"/>) because captured outbound frames often carry an offloaded one.
    /// </summary>
    public static bool TryParseUdp(ReadOnlySpan<byte> frame, out UdpFrame udp)
    {
        udp = default;
        if (frame.Length < EthernetHeaderLength)
        {
            return false;
        }

        int ipOffset = EthernetHeaderLength;
        ushort vlanId = 0;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[EtherTypeOffset..]);
        if (etherType == EtherTypeVlan)
        {
            if (frame.Length < EthernetHeaderLength + VlanTagLength)
            {
                return false;
            }

            vlanId = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame[VlanTciOffset..]) & MaxVlanId);
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(EtherTypeOffset + VlanTagLength)..]);
            ipOffset += VlanTagLength;
        }

        if (etherType != EtherTypeIpv4 || frame.Length - ipOffset < Ipv4MinHeaderLength)
        {
            return false;
        }

        var ip = frame[ipOffset..];
        byte versionIhl = ip[IpVersionIhlOffset];
        int headerLength = (versionIhl & IhlMask) * IhlWordLength;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[IpTotalLengthOffset..]);
        if (versionIhl >> 4 != IpVersion4
            || headerLength < Ipv4MinHeaderLength
            || totalLength < headerLength + UdpHeaderLength
            || totalLength > ip.Length
            || ip[IpProtocolOffset] != ProtocolUdp
            || (BinaryPrimitives.ReadUInt16BigEndian(ip[IpFlagsFragmentOffset..]) & (MoreFragmentsFlag | FragmentOffsetMask)) != 0
            || InternetChecksum.Complete(InternetChecksum.Add(0, ip[..headerLength])) != 0)
        {
            return false;
        }

        var datagram = ip[headerLength..totalLength];
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[UdpLengthOffset..]);
        if (udpLength < UdpHeaderLength || udpLength > datagram.Length)
        {
            return false;
        }

        udp = new UdpFrame(
            frame.Slice(DestinationMacOffset, MacLength),
            frame.Slice(SourceMacOffset, MacLength),
            vlanId,
            Ipv4Address.Read(ip[IpSourceOffset..]),
            Ipv4Address.Read(ip[IpDestinationOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(datagram[UdpSourcePortOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(datagram[UdpDestinationPortOffset..]),
            ip[IpTtlOffset],
            BinaryPrimitives.ReadUInt16BigEndian(datagram[UdpChecksumOffset..]),
            datagram[UdpHeaderLength..udpLength]);
        return true;
    }

    /// <summary>True when the frame's UDP checksum is absent (0, RFC 768) or correct over the pseudo-header.</summary>
    public static bool VerifyUdpChecksum(scoped in UdpFrame udp)
    {
        if (udp.UdpChecksum == 0)
        {
            return true;
        }

        return UdpChecksum(udp.SourceIp, udp.DestinationIp, udp.SourcePort, udp.DestinationPort, udp.Payload) == udp.UdpChecksum;
    }

    /// <summary>
    /// Writes an untagged Ethernet II / IPv4 / UDP frame around <paramref name="payload"/> and returns its length.
    /// Computes the IPv4 header checksum and the UDP checksum. Throws <see cref="ArgumentException"/> when a MAC is
    /// not 6 octets, the payload is too long, or <paramref name="destination"/> is smaller than
    /// <see cref="UdpHeadersLength"/> + payload.
    /// </summary>
    public static int WriteUdp(
        Span<byte> destination,
        ReadOnlySpan<byte> sourceMac,
        ReadOnlySpan<byte> destinationMac,
        Ipv4Address sourceIp,
        Ipv4Address destinationIp,
        ushort sourcePort,
        ushort destinationPort,
        ReadOnlySpan<byte> payload,
        byte ttl = 64) =>
        WriteUdp(destination, sourceMac, destinationMac, 0, sourceIp, destinationIp, sourcePort, destinationPort, payload, ttl);

    /// <summary>As <see cref="WriteUdp(Span{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Ipv4Address, Ipv4Address, ushort, ushort, ReadOnlySpan{byte}, byte)"/>,
    /// with an 802.1Q tag carrying <paramref name="vlanId"/> (priority 0) when it is not 0.</summary>
    public static int WriteUdp(
        Span<byte> destination,
        ReadOnlySpan<byte> sourceMac,
        ReadOnlySpan<byte> destinationMac,
        ushort vlanId,
        Ipv4Address sourceIp,
        Ipv4Address destinationIp,
        ushort sourcePort,
        ushort destinationPort,
        ReadOnlySpan<byte> payload,
        byte ttl = 64)
    {
        if (sourceMac.Length != MacLength || destinationMac.Length != MacLength)
        {
            throw new ArgumentException($"MAC addresses are {MacLength} octets.", nameof(sourceMac));
        }

        if (payload.Length > MaxUdpPayloadLength)
        {
            throw new ArgumentException($"A UDP payload in IPv4 holds at most {MaxUdpPayloadLength} octets.", nameof(payload));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(vlanId, MaxVlanId);
        int ipOffset = EthernetHeaderLength + (vlanId == 0 ? 0 : VlanTagLength);
        int length = ipOffset + Ipv4MinHeaderLength + UdpHeaderLength + payload.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The frame needs {length} octets; the destination has {destination.Length}.", nameof(destination));
        }

        destinationMac.CopyTo(destination[DestinationMacOffset..]);
        sourceMac.CopyTo(destination[SourceMacOffset..]);
        if (vlanId != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[EtherTypeOffset..], EtherTypeVlan);
            BinaryPrimitives.WriteUInt16BigEndian(destination[VlanTciOffset..], vlanId);
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[(ipOffset - sizeof(ushort))..], EtherTypeIpv4);

        var ip = destination.Slice(ipOffset, length - ipOffset);
        ip[IpVersionIhlOffset] = Version4Ihl5;
        ip[IpTosOffset] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[IpTotalLengthOffset..], (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip[IpIdentificationOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[IpFlagsFragmentOffset..], 0);
        ip[IpTtlOffset] = ttl;
        ip[IpProtocolOffset] = ProtocolUdp;
        BinaryPrimitives.WriteUInt16BigEndian(ip[IpChecksumOffset..], 0);
        sourceIp.Write(ip[IpSourceOffset..]);
        destinationIp.Write(ip[IpDestinationOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(
            ip[IpChecksumOffset..], InternetChecksum.Complete(InternetChecksum.Add(0, ip[..Ipv4MinHeaderLength])));

        var datagram = ip[Ipv4MinHeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(datagram[UdpSourcePortOffset..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[UdpDestinationPortOffset..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[UdpLengthOffset..], (ushort)datagram.Length);
        payload.CopyTo(datagram[UdpHeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(
            datagram[UdpChecksumOffset..], UdpChecksum(sourceIp, destinationIp, sourcePort, destinationPort, payload));
        return length;
    }

    /// <summary>RFC 768: over the pseudo-header (source, destination, zero, protocol, UDP length), the UDP header
    /// with a zero checksum field, and the payload; a computed 0 is sent as 0xFFFF.</summary>
    private static ushort UdpChecksum(
        Ipv4Address sourceIp, Ipv4Address destinationIp, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        uint udpLength = (uint)(UdpHeaderLength + payload.Length);
        ulong sum = (ulong)sourceIp.Value + destinationIp.Value + ProtocolUdp + udpLength
            + sourcePort + destinationPort + udpLength;
        ushort checksum = InternetChecksum.Complete(InternetChecksum.Add(sum, payload));
        return checksum == 0 ? ushort.MaxValue : checksum;
    }
}
