namespace Aether.Dhcp.Framing;

/// <summary>An Ethernet II / IPv4 / UDP frame seen through <see cref="EthernetFrame.TryParseUdp"/>; all spans view the frame.</summary>
public readonly ref struct UdpFrame
{
    internal UdpFrame(
        ReadOnlySpan<byte> destinationMac,
        ReadOnlySpan<byte> sourceMac,
        ushort vlanId,
        Ipv4Address sourceIp,
        Ipv4Address destinationIp,
        ushort sourcePort,
        ushort destinationPort,
        byte ttl,
        ushort udpChecksum,
        ReadOnlySpan<byte> payload)
    {
        DestinationMac = destinationMac;
        SourceMac = sourceMac;
        VlanId = vlanId;
        SourceIp = sourceIp;
        DestinationIp = destinationIp;
        SourcePort = sourcePort;
        DestinationPort = destinationPort;
        Ttl = ttl;
        UdpChecksum = udpChecksum;
        Payload = payload;
    }

    public ReadOnlySpan<byte> DestinationMac { get; }

    public ReadOnlySpan<byte> SourceMac { get; }

    /// <summary>The 802.1Q VLAN identifier, 0 when the frame is untagged.</summary>
    public ushort VlanId { get; }

    public Ipv4Address SourceIp { get; }

    public Ipv4Address DestinationIp { get; }

    public ushort SourcePort { get; }

    public ushort DestinationPort { get; }

    public byte Ttl { get; }

    /// <summary>The UDP checksum field as received; 0 means the sender did not compute one (RFC 768).</summary>
    public ushort UdpChecksum { get; }

    /// <summary>The UDP payload, cut to the UDP length (Ethernet padding excluded).</summary>
    public ReadOnlySpan<byte> Payload { get; }
}
