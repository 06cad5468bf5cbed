using System.Text;
using Aether.Dhcp;
using Aether.Simulator.Load;

namespace Aether.Simulator.Tests;

public sealed class ClientMessagesTests
{
    private static readonly SubscriberPlan s_plan = new([0x02, 0x5a], "relay-sim", firstIndex: 4_100);

    [Fact]
    public void Subscriber_number_fills_the_mac_after_the_prefix()
    {
        Assert.Equal("02:5a:00:00:10:04", SubscriberPlan.FormatMac(s_plan.Mac(0)));
        Assert.Equal("02:5a:00:00:10:05", SubscriberPlan.FormatMac(s_plan.Mac(1)));
        Assert.Equal(SubscriberPlan.PackMac(s_plan.Mac(3)), s_plan.MacKey(3));
    }

    [Fact]
    public void Circuit_id_splits_the_number_into_slot_and_port()
    {
        Assert.Equal("1/1/4", s_plan.CircuitId(0));
        Assert.Equal("1/0/0", new SubscriberPlan([0x02], "r", 0).CircuitId(0));
        Assert.Equal("1/0/4095", new SubscriberPlan([0x02], "r", 4_095).CircuitId(0));
    }

    [Fact]
    public void Prefix_with_the_multicast_bit_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new SubscriberPlan([0x03, 0x00], "r", 0));
    }

    [Fact]
    public void Subscriber_beyond_the_prefix_capacity_is_refused()
    {
        var plan = new SubscriberPlan([0x02, 0x00, 0x00, 0x00], "r", 65_535);

        Assert.Equal(65_536, plan.Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Mac(1));
    }

    [Fact]
    public void Layer2_discover_is_a_broadcast_client_request_with_option82()
    {
        var messages = new ClientMessages(s_plan, new ClientMessageShape(Ipv4Address.Any, 0, Broadcast: false, Option82: true));
        var session = new DoraSession(2);
        session.Begin(0xabcd_0002, 0, new DoraTiming(1, 0));
        var buffer = new byte[1500];

        int length = messages.WriteDiscover(session, 0, buffer);

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(buffer.AsSpan(0, length), out var packet));
        Assert.True(packet.IsRequest);
        Assert.Equal(DhcpMessageType.Discover, packet.MessageType);
        Assert.Equal(0xabcd_0002u, packet.TransactionId);
        Assert.True(packet.GatewayIp.IsAny);
        Assert.Equal(0, packet.Hops);
        Assert.False(packet.Broadcast);
        Assert.Equal(s_plan.Mac(2), packet.ClientHardwareAddress.ToArray());
        var option82 = packet.RelayAgentInformation;
        Assert.True(option82.IsWellFormed);
        Assert.Equal("1/1/6", Encoding.ASCII.GetString(option82.CircuitId));
        Assert.Equal("relay-sim", Encoding.ASCII.GetString(option82.RemoteId));
    }

    [Fact]
    public void Relay_request_carries_giaddr_hops_server_id_and_requested_address()
    {
        var giaddr = Ipv4Address.Parse("100.64.0.1");
        var messages = new ClientMessages(s_plan, new ClientMessageShape(giaddr, 1, Broadcast: false, Option82: true));
        var session = Offered(Ipv4Address.Parse("100.64.0.50"), Ipv4Address.Parse("198.18.0.1"));
        var buffer = new byte[1500];

        int length = messages.WriteRequest(session, 3, buffer);

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(buffer.AsSpan(0, length), out var packet));
        Assert.Equal(DhcpMessageType.Request, packet.MessageType);
        Assert.Equal(giaddr, packet.GatewayIp);
        Assert.Equal(1, packet.Hops);
        Assert.Equal(3, packet.Seconds);
        Assert.True(packet.ClientIp.IsAny);
        Assert.True(packet.TryGetIpv4Option(DhcpOptionCode.RequestedIpAddress, out var requested));
        Assert.Equal(Ipv4Address.Parse("100.64.0.50"), requested);
        Assert.True(packet.TryGetIpv4Option(DhcpOptionCode.ServerIdentifier, out var server));
        Assert.Equal(Ipv4Address.Parse("198.18.0.1"), server);
    }

    [Fact]
    public void Release_names_the_leased_address_in_ciaddr()
    {
        var messages = new ClientMessages(s_plan, new ClientMessageShape(Ipv4Address.Any, 0, Broadcast: true, Option82: false));
        var session = Offered(Ipv4Address.Parse("100.64.0.50"), Ipv4Address.Parse("198.18.0.1"));
        var buffer = new byte[1500];

        int length = messages.WriteRelease(session, buffer);

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(buffer.AsSpan(0, length), out var packet));
        Assert.Equal(DhcpMessageType.Release, packet.MessageType);
        Assert.Equal(Ipv4Address.Parse("100.64.0.50"), packet.ClientIp);
        Assert.False(packet.Broadcast);
        Assert.False(packet.RelayAgentInformation.IsPresent);
    }

    [Fact]
    public void Reply_reader_takes_offers_and_skips_requests()
    {
        var offer = new DhcpMessage { Op = 2, TransactionId = 9, ClientHardwareAddress = s_plan.Mac(0), YourIp = Ipv4Address.Parse("100.64.0.9") };
        offer.MessageType = DhcpMessageType.Offer;
        offer.Options.Add(DhcpOption.FromAddresses(DhcpOptionCode.ServerIdentifier, Ipv4Address.Parse("198.18.0.1")));
        var request = new DhcpMessage { TransactionId = 9, ClientHardwareAddress = s_plan.Mac(0) };
        request.MessageType = DhcpMessageType.Request;

        Assert.True(ReplyReader.TryRead(offer.ToArray(), 0, 42, out var reply));
        Assert.False(ReplyReader.TryRead(request.ToArray(), 0, 42, out _));
        Assert.Equal(DhcpMessageType.Offer, reply.Type);
        Assert.Equal(s_plan.MacKey(0), reply.ClientMac);
        Assert.Equal(Ipv4Address.Parse("198.18.0.1"), reply.ServerId);
        Assert.Equal(42, reply.ReceivedAt);
    }

    private static DoraSession Offered(Ipv4Address offered, Ipv4Address server)
    {
        var session = new DoraSession(2);
        var timing = new DoraTiming(1, 0);
        session.Begin(7, 0, timing);
        session.OnReply(new DoraReply(7, 0, DhcpMessageType.Offer, offered, server, 0, 1), timing, out _);
        return session;
    }
}
