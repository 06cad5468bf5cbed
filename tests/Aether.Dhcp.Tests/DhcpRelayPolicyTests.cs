namespace Aether.Dhcp.Tests;

public sealed class DhcpRelayPolicyTests
{
    private static readonly Ipv4Address Gateway = Messages.Relay;

    [Fact]
    public void Keep_forwards_incoming_option_82_untouched()
    {
        var incoming = Messages.AgentInfo((1, "dslam-7"), (2, "line-3"));

        var info = RelayAndReadAgentInfo(incoming, new RelayRewrite { Policy = Option82Policy.Keep, CircuitId = "ours"u8 });

        Assert.Equal(incoming, info);
    }

    [Fact]
    public void Keep_without_incoming_writes_nothing()
    {
        var info = RelayAndReadAgentInfo(null, new RelayRewrite { Policy = Option82Policy.Keep, CircuitId = "ours"u8 });

        Assert.Null(info);
    }

    [Fact]
    public void Keep_replaces_the_relay_id_with_ours()
    {
        var incoming = Messages.AgentInfo((1, "dslam-7"), (12, "other"), (2, "line-3"));

        var info = RelayAndReadAgentInfo(incoming, new RelayRewrite { Policy = Option82Policy.Keep, RelayId = "bng1"u8 });

        Assert.Equal(Messages.AgentInfo((1, "dslam-7"), (2, "line-3"), (12, "bng1")), info);
    }

    [Fact]
    public void Keep_adds_relay_id_even_when_nothing_came_in()
    {
        var info = RelayAndReadAgentInfo(null, new RelayRewrite { Policy = Option82Policy.Keep, RelayId = "bng1"u8 });

        Assert.Equal(Messages.AgentInfo((12, "bng1")), info);
    }

    [Fact]
    public void Insert_keeps_one_already_present()
    {
        var incoming = Messages.AgentInfo((1, "dslam-7"));

        var info = RelayAndReadAgentInfo(incoming, new RelayRewrite { Policy = Option82Policy.Insert, CircuitId = "ours"u8, RelayId = "bng1"u8 });

        Assert.Equal(Messages.AgentInfo((1, "dslam-7"), (12, "bng1")), info);
    }

    [Fact]
    public void Insert_writes_ours_when_absent()
    {
        var info = RelayAndReadAgentInfo(null, new RelayRewrite { Policy = Option82Policy.Insert, CircuitId = "c"u8, RemoteId = "r"u8 });

        Assert.Equal(Messages.AgentInfo((1, "c"), (2, "r")), info);
    }

    [Fact]
    public void Replace_drops_incoming_and_writes_ours()
    {
        var incoming = Messages.AgentInfo((1, "spoofed"), (6, "spoofed"));

        var info = RelayAndReadAgentInfo(incoming, new RelayRewrite { Policy = Option82Policy.Replace, CircuitId = "c"u8, RelayId = "bng1"u8 });

        Assert.Equal(Messages.AgentInfo((1, "c"), (12, "bng1")), info);
    }

    [Fact]
    public void Strip_removes_option_82_and_writes_no_relay_id()
    {
        var incoming = Messages.AgentInfo((1, "spoofed"));

        var info = RelayAndReadAgentInfo(incoming, new RelayRewrite { Policy = Option82Policy.Strip, CircuitId = "c"u8, RelayId = "bng1"u8 });

        Assert.Null(info);
    }

    [Fact]
    public void Keeps_a_giaddr_set_by_a_relay_closer_to_the_client()
    {
        var request = Messages.Request();
        request.GatewayIp = Ipv4Address.Parse("100.64.9.1");
        request.Hops = 1;

        var packet = Relay(request.ToArray(), new RelayRewrite { GatewayIp = Gateway, Policy = Option82Policy.Keep }, out _);

        Assert.Equal(Ipv4Address.Parse("100.64.9.1"), packet.GatewayIp);
    }

    [Fact]
    public void Sets_giaddr_when_zero_and_leaves_flags_alone()
    {
        var request = Messages.Request();
        request.Broadcast = true;

        var packet = Relay(request.ToArray(), new RelayRewrite { GatewayIp = Gateway }, out _);

        Assert.Equal(Gateway, packet.GatewayIp);
        Assert.True(packet.Broadcast);
    }

    [Fact]
    public void Refuses_requests_over_the_hop_limit()
    {
        var request = Messages.Request();
        request.Hops = 5;
        var destination = new byte[DhcpRelay.MaxMessageSize];

        var error = DhcpRelay.RewriteForServer(request.ToArray(), destination, new RelayRewrite { MaxHops = 4 }, out int written);

        Assert.Equal(RelayRewriteError.HopLimitExceeded, error);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Default_hop_limit_is_16()
    {
        var request = Messages.Request();
        request.Hops = 16;

        var packet = Relay(request.ToArray(), new RelayRewrite { IncrementHops = true }, out _);

        Assert.Equal(17, packet.Hops);
        Assert.Equal(16, new RelayRewrite().MaxHops);
    }

    [Fact]
    public void Leaves_hops_alone_unless_asked()
    {
        var request = Messages.Request();
        request.Hops = 2;

        var packet = Relay(request.ToArray(), new RelayRewrite(), out _);

        Assert.Equal(2, packet.Hops);
    }

    [Fact]
    public void Refuses_a_reply_sent_toward_the_server()
    {
        var error = DhcpRelay.RewriteForServer(Messages.Reply().ToArray(), new byte[1500], new RelayRewrite(), out _);

        Assert.Equal(RelayRewriteError.WrongDirection, error);
    }

    [Fact]
    public void Refuses_a_request_sent_toward_the_client()
    {
        var error = DhcpRelay.RewriteForClient(Messages.Request().ToArray(), new byte[1500], out _);

        Assert.Equal(RelayRewriteError.WrongDirection, error);
    }

    [Fact]
    public void Reports_malformed_input()
    {
        var error = DhcpRelay.RewriteForServer(new byte[300], new byte[1500], new RelayRewrite(), out _);

        Assert.Equal(RelayRewriteError.Malformed, error);
    }

    [Fact]
    public void Reports_a_destination_too_small()
    {
        var error = DhcpRelay.RewriteForServer(
            Messages.Request().ToArray(), new byte[299], new RelayRewrite { Policy = Option82Policy.Insert, CircuitId = "c"u8 }, out int written);

        Assert.Equal(RelayRewriteError.DestinationTooSmall, error);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Forwards_without_ours_when_option_82_would_not_fit()
    {
        // RFC 3046 section 2.1: forward without the option rather than exceed the MTU.
        var request = Messages.Request();
        request.Options.Add(new DhcpOption(224, new byte[1150]));
        var bytes = request.ToArray();
        var destination = new byte[DhcpRelay.MaxMessageSize];
        var rewrite = new RelayRewrite { GatewayIp = Gateway, Policy = Option82Policy.Insert, CircuitId = new byte[200] };

        var error = DhcpRelay.RewriteForServer(bytes, destination, rewrite, out int written);

        Assert.Equal(RelayRewriteError.OptionSpaceExhausted, error);
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(destination.AsSpan(0, written), out var packet));
        Assert.False(packet.RelayAgentInformation.IsPresent);
        Assert.Equal(Gateway, packet.GatewayIp);
        Assert.Equal(1150, packet.GetOptionLength(224));
    }

    [Fact]
    public void Joins_a_split_incoming_option_82_and_writes_it_split()
    {
        var incoming = RelayAgentInformationBuilder.Build((1, new byte[250]), (2, new byte[100]), (6, new byte[50]));

        var info = RelayAndReadAgentInfo(incoming, new RelayRewrite { Policy = Option82Policy.Keep, RelayId = "bng1"u8 });

        Assert.Equal([.. incoming, 12, 4, .. "bng1"u8], info);
    }

    [Fact]
    public void Blanks_option_82_found_in_an_overloaded_field()
    {
        var bytes = Messages.Request().ToArray();
        int end = Array.IndexOf(bytes, DhcpOptionCode.End, 240);
        byte[] overload = [DhcpOptionCode.OptionOverload, 1, 1, DhcpOptionCode.End];
        overload.CopyTo(bytes, end);
        byte[] file = [DhcpOptionCode.RelayAgentInformation, 3, 1, 1, (byte)'x', DhcpOptionCode.Message, 1, (byte)'m', DhcpOptionCode.End];
        file.CopyTo(bytes, 108);
        var rewrite = new RelayRewrite { Policy = Option82Policy.Replace, CircuitId = "c"u8 };

        var packet = Relay(bytes, rewrite, out var relayed);

        Assert.Equal(1, packet.CountOption(DhcpOptionCode.RelayAgentInformation));
        Assert.Equal("c"u8.ToArray(), packet.RelayAgentInformation.CircuitId.ToArray());
        Assert.True(packet.TryGetOption(DhcpOptionCode.Message, out var message));
        Assert.Equal("m"u8.ToArray(), message.ToArray());
        Assert.Equal(DhcpOptionCode.Pad, relayed[108]);
    }

    [Fact]
    public void Rejects_sub_options_over_255_octets()
    {
        var request = Messages.Request().ToArray();

        Assert.Throws<ArgumentException>(() =>
            DhcpRelay.RewriteForServer(request, new byte[1500], new RelayRewrite { Policy = Option82Policy.Replace, CircuitId = new byte[256] }, out _));
    }

    [Theory]
    [InlineData(true, DhcpMessageType.Offer, "100.64.1.100", "0.0.0.0", "255.255.255.255")]
    [InlineData(false, DhcpMessageType.Offer, "100.64.1.100", "0.0.0.0", "100.64.1.100")]
    [InlineData(false, DhcpMessageType.Nak, "0.0.0.0", "0.0.0.0", "255.255.255.255")]
    [InlineData(false, DhcpMessageType.Ack, "0.0.0.0", "100.64.1.7", "100.64.1.7")]
    [InlineData(false, DhcpMessageType.Ack, "0.0.0.0", "0.0.0.0", "255.255.255.255")]
    public void Chooses_where_to_send_a_reply_on_the_client_link(bool broadcast, DhcpMessageType type, string yiaddr, string ciaddr, string expected)
    {
        var reply = Messages.Reply(type);
        reply.Broadcast = broadcast;
        reply.YourIp = Ipv4Address.Parse(yiaddr);
        reply.ClientIp = Ipv4Address.Parse(ciaddr);
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(reply.ToArray(), out var packet));

        Assert.Equal(Ipv4Address.Parse(expected), DhcpRelay.ClientDestination(packet));
    }

    private static DhcpPacket Relay(byte[] request, in RelayRewrite rewrite, out byte[] relayed)
    {
        var destination = new byte[DhcpRelay.MaxMessageSize];
        Assert.Equal(RelayRewriteError.None, DhcpRelay.RewriteForServer(request, destination, rewrite, out int written));
        relayed = destination.AsSpan(0, written).ToArray();
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(relayed, out var packet));
        return packet;
    }

    private static byte[]? RelayAndReadAgentInfo(byte[]? incoming, in RelayRewrite rewrite)
    {
        var request = Messages.Request();
        if (incoming is not null)
        {
            request.Options.Add(new DhcpOption(DhcpOptionCode.RelayAgentInformation, incoming));
        }

        var packet = Relay(request.ToArray(), rewrite, out _);
        return packet.TryGetRelayAgentInformation(new byte[1500], out var info) ? info.Raw.ToArray() : null;
    }
}
