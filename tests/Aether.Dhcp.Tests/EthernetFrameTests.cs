using System.Buffers.Binary;
using Aether.Dhcp.Framing;

namespace Aether.Dhcp.Tests;

public sealed class EthernetFrameTests
{
    private static readonly byte[] RelayMac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe];

    [Fact]
    public void Parses_captured_dhclient_frame_and_its_checksums()
    {
        Assert.True(EthernetFrame.TryParseUdp(TestVectors.DhclientDiscoverFrame, out var udp));

        Assert.Equal(TestVectors.ClientMac, udp.SourceMac.ToArray());
        Assert.Equal(Ipv4Address.Broadcast, udp.DestinationIp);
        Assert.Equal(Ipv4Address.Any, udp.SourceIp);
        Assert.Equal(68, udp.SourcePort);
        Assert.Equal(67, udp.DestinationPort);
        Assert.Equal(0, udp.VlanId);
        Assert.Equal(300, udp.Payload.Length);
        Assert.NotEqual(0, udp.UdpChecksum);
        Assert.True(EthernetFrame.VerifyUdpChecksum(udp));
    }

    [Fact]
    public void Round_trips_with_valid_checksums()
    {
        var payload = TestVectors.DhclientDiscover;
        var frame = new byte[EthernetFrame.UdpHeadersLength + payload.Length];

        int written = EthernetFrame.WriteUdp(
            frame, RelayMac, TestVectors.ClientMac, Ipv4Address.Parse("100.64.0.1"), Ipv4Address.Parse("100.64.0.50"), 67, 68, payload, ttl: 16);

        Assert.Equal(frame.Length, written);
        Assert.True(EthernetFrame.TryParseUdp(frame, out var udp));
        Assert.Equal(RelayMac, udp.SourceMac.ToArray());
        Assert.Equal(TestVectors.ClientMac, udp.DestinationMac.ToArray());
        Assert.Equal(Ipv4Address.Parse("100.64.0.1"), udp.SourceIp);
        Assert.Equal(Ipv4Address.Parse("100.64.0.50"), udp.DestinationIp);
        Assert.Equal(67, udp.SourcePort);
        Assert.Equal(68, udp.DestinationPort);
        Assert.Equal(16, udp.Ttl);
        Assert.Equal(payload, udp.Payload.ToArray());
        Assert.True(EthernetFrame.VerifyUdpChecksum(udp));
        Assert.Equal(0, IndependentChecksum(frame.AsSpan(14, 20)));
    }

    [Fact]
    public void Detects_a_corrupted_udp_payload()
    {
        var payload = TestVectors.DhclientDiscover;
        var frame = new byte[EthernetFrame.UdpHeadersLength + payload.Length];
        _ = EthernetFrame.WriteUdp(frame, RelayMac, TestVectors.ClientMac, Ipv4Address.Any, Ipv4Address.Broadcast, 68, 67, payload);
        frame[EthernetFrame.UdpHeadersLength + 10] ^= 0x40;

        Assert.True(EthernetFrame.TryParseUdp(frame, out var udp));
        Assert.False(EthernetFrame.VerifyUdpChecksum(udp));
    }

    [Fact]
    public void Rejects_a_corrupted_ip_header()
    {
        var frame = TestVectors.DhclientDiscoverFrame;
        frame[14 + 8] ^= 1; // TTL changes, header checksum no longer matches

        Assert.False(EthernetFrame.TryParseUdp(frame, out _));
    }

    [Fact]
    public void Round_trips_an_802_1q_tag()
    {
        var payload = TestVectors.DhclientDiscover;
        var frame = new byte[EthernetFrame.UdpHeadersLength + EthernetFrame.VlanTagLength + payload.Length];

        int written = EthernetFrame.WriteUdp(frame, RelayMac, TestVectors.ClientMac, 100, Ipv4Address.Any, Ipv4Address.Broadcast, 68, 67, payload);

        Assert.Equal(frame.Length, written);
        Assert.True(EthernetFrame.TryParseUdp(frame, out var udp));
        Assert.Equal(100, udp.VlanId);
        Assert.Equal(payload, udp.Payload.ToArray());
        Assert.True(EthernetFrame.VerifyUdpChecksum(udp));
    }

    [Fact]
    public void Accepts_ip_options()
    {
        var untagged = WriteDiscoverFrame();
        var frame = new byte[untagged.Length + 4];
        untagged.AsSpan(0, 34).CopyTo(frame);
        frame.AsSpan(34, 4).Fill(1); // four NOP options, RFC 791
        untagged.AsSpan(34).CopyTo(frame.AsSpan(38));
        frame[14] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), (ushort)(frame.Length - 14));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), (ushort)IndependentChecksum(frame.AsSpan(14, 24)));

        Assert.True(EthernetFrame.TryParseUdp(frame, out var udp));
        Assert.Equal(TestVectors.DhclientDiscover, udp.Payload.ToArray());
        Assert.True(EthernetFrame.VerifyUdpChecksum(udp));
    }

    [Fact]
    public void Ignores_ethernet_padding_after_the_ip_packet()
    {
        var frame = WriteDiscoverFrame();
        var padded = new byte[frame.Length + 20];
        frame.CopyTo(padded, 0);

        Assert.True(EthernetFrame.TryParseUdp(padded, out var udp));
        Assert.Equal(300, udp.Payload.Length);
    }

    [Theory]
    [InlineData(12, 0x86, "IPv6 ethertype")]
    [InlineData(23, 6, "TCP")]
    [InlineData(20, 0x20, "more fragments")]
    [InlineData(21, 0x01, "fragment offset")]
    [InlineData(16, 0x02, "IP total length beyond the frame")]
    [InlineData(38, 0x02, "UDP length beyond the IP packet")]
    [InlineData(14, 0x44, "IHL below 5")]
    public void Rejects_what_is_not_a_whole_ipv4_udp_datagram(int offset, byte value, string because)
    {
        var frame = WriteDiscoverFrame();
        frame[offset] = value;
        if (offset is >= 14 and < 34)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), 0);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), (ushort)IndependentChecksum(frame.AsSpan(14, 20)));
        }

        Assert.False(EthernetFrame.TryParseUdp(frame, out _), because);
    }

    [Fact]
    public void Rejects_every_truncation()
    {
        var frame = WriteDiscoverFrame();

        for (int length = 0; length < frame.Length; length++)
        {
            Assert.False(EthernetFrame.TryParseUdp(frame.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void WriteUdp_refuses_a_destination_too_small()
    {
        var payload = TestVectors.DhclientDiscover;

        Assert.Throws<ArgumentException>(() => EthernetFrame.WriteUdp(
            new byte[EthernetFrame.UdpHeadersLength + payload.Length - 1], RelayMac, TestVectors.ClientMac, Ipv4Address.Any, Ipv4Address.Broadcast, 68, 67, payload));
    }

    private static byte[] WriteDiscoverFrame()
    {
        var payload = TestVectors.DhclientDiscover;
        var frame = new byte[EthernetFrame.UdpHeadersLength + payload.Length];
        _ = EthernetFrame.WriteUdp(frame, RelayMac, TestVectors.ClientMac, Ipv4Address.Any, Ipv4Address.Broadcast, 68, 67, payload);
        return frame;
    }

    /// <summary>RFC 1071 section 4.1's reference loop, 16 bits at a time, to check the production checksum against.</summary>
    private static int IndependentChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (int)(~sum & 0xffff);
    }
}
