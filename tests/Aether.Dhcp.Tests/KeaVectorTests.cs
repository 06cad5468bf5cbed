using Aether.Dhcp.Framing;

namespace Aether.Dhcp.Tests;

/// <summary>Replies captured from a real Kea DHCPv4 server (see the comments in Vectors/kea-*.hex).</summary>
public sealed class KeaVectorTests
{
    [Theory]
    [InlineData("kea-offer.hex", DhcpMessageType.Offer)]
    [InlineData("kea-ack.hex", DhcpMessageType.Ack)]
    public void Parses_kea_reply_to_a_relay(string vector, DhcpMessageType type)
    {
        // The UDP checksum is not checked: captured on the sending host, it is the offloaded partial sum.
        Assert.True(EthernetFrame.TryParseUdp(TestVectors.Load(vector), out var udp));
        Assert.Equal(67, udp.DestinationPort);
        Assert.Equal(Messages.Relay, udp.DestinationIp);

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(udp.Payload, out var packet));
        Assert.Equal(type, packet.MessageType);
        Assert.True(packet.IsReply);
        Assert.Equal(0xc1272f6du, packet.TransactionId);
        Assert.Equal(Messages.Leased, packet.YourIp);
        Assert.Equal(Messages.Relay, packet.GatewayIp);
        Assert.Equal(TestVectors.ClientMac, packet.ClientHardwareAddress.ToArray());
        Assert.True(packet.TryGetIpv4Option(DhcpOptionCode.ServerIdentifier, out var server));
        Assert.Equal(Messages.Server, server);
        Assert.True(packet.TryGetUInt32Option(DhcpOptionCode.IpAddressLeaseTime, out uint lease));
        Assert.Equal(3600u, lease);
        Assert.True(packet.TryGetIpv4Option(DhcpOptionCode.Router, out var router));
        Assert.Equal(Messages.Relay, router);
        Assert.True(packet.TryGetOption(DhcpOptionCode.DomainName, out var domain));
        Assert.Equal("subscribers.example"u8.ToArray(), domain.ToArray());
        var agent = packet.RelayAgentInformation;
        Assert.True(agent.IsWellFormed);
        Assert.Equal("bng1 eth 0/1/2:100"u8.ToArray(), agent.CircuitId.ToArray());
        Assert.Equal("subscriber-42"u8.ToArray(), agent.RemoteId.ToArray());
    }

    [Fact]
    public void Relays_kea_offer_to_the_client_without_option_82()
    {
        Assert.True(EthernetFrame.TryParseUdp(TestVectors.Load("kea-offer.hex"), out var udp));
        var reply = new byte[DhcpRelay.MaxMessageSize];
        var frame = new byte[DhcpRelay.MaxMessageSize + EthernetFrame.UdpHeadersLength];

        var error = DhcpRelay.RewriteForClient(udp.Payload, reply, out int written);
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(reply.AsSpan(0, written), out var packet));
        var destination = DhcpRelay.ClientDestination(packet);
        int frameLength = EthernetFrame.WriteUdp(
            frame, [0x02, 0, 0x5e, 0x10, 0, 0xfe], packet.ClientHardwareAddress, Messages.Relay, destination, 67, 68, reply.AsSpan(0, written));

        Assert.Equal(RelayRewriteError.None, error);
        Assert.False(packet.RelayAgentInformation.IsPresent);
        Assert.Equal(Messages.Leased, destination);
        Assert.True(EthernetFrame.TryParseUdp(frame.AsSpan(0, frameLength), out var toClient));
        Assert.True(EthernetFrame.VerifyUdpChecksum(toClient));
        var original = DhcpMessage.Parse(udp.Payload);
        var relayed = DhcpMessage.Parse(toClient.Payload);
        Assert.Equal(original.Options.Where(o => o.Code != DhcpOptionCode.RelayAgentInformation), relayed.Options);
    }
}
