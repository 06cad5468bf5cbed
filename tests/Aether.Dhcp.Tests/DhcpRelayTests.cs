namespace Aether.Dhcp.Tests;

public sealed class DhcpRelayTests
{
    private static readonly Ipv4Address Gateway = Ipv4Address.Parse("100.64.0.1");

    [Fact]
    public void Inserts_option_82_that_reads_back()
    {
        var destination = new byte[DhcpRelay.MaxMessageSize];
        var rewrite = new RelayRewrite
        {
            GatewayIp = Gateway,
            Policy = Option82Policy.Insert,
            CircuitId = "bng1 eth 0/1/2:100"u8,
            RemoteId = "subscriber-42"u8,
            RelayId = "bng1"u8,
            IncrementHops = true,
        };

        var error = DhcpRelay.RewriteForServer(TestVectors.DhclientDiscover, destination, rewrite, out int written);

        Assert.Equal(RelayRewriteError.None, error);
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(destination.AsSpan(0, written), out var packet));
        Assert.Equal(Gateway, packet.GatewayIp);
        Assert.Equal(1, packet.Hops);
        Assert.Equal(DhcpMessageType.Discover, packet.MessageType);
        var agent = packet.RelayAgentInformation;
        Assert.True(agent.IsPresent);
        Assert.True(agent.IsWellFormed);
        Assert.Equal("bng1 eth 0/1/2:100"u8.ToArray(), agent.CircuitId.ToArray());
        Assert.Equal("subscriber-42"u8.ToArray(), agent.RemoteId.ToArray());
        Assert.Equal("bng1"u8.ToArray(), agent.RelayId.ToArray());
    }

    [Fact]
    public void Puts_option_82_last_before_end()
    {
        var destination = new byte[DhcpRelay.MaxMessageSize];
        var rewrite = new RelayRewrite { GatewayIp = Gateway, Policy = Option82Policy.Insert, CircuitId = "c1"u8 };

        _ = DhcpRelay.RewriteForServer(TestVectors.DhclientDiscover, destination, rewrite, out int written);

        // dhclient's options: 53 (3), 12 (4), 55 (15) = 22 octets, then 82 [1, 2, 'c', '1'], then End.
        int agentAt = 240 + 22;
        Assert.Equal(DhcpOptionCode.RelayAgentInformation, destination[agentAt]);
        Assert.Equal(4, destination[agentAt + 1]);
        Assert.Equal(DhcpOptionCode.End, destination[agentAt + 6]);
        Assert.Equal(300, written);
    }

    [Fact]
    public void Keeps_everything_else_unchanged()
    {
        var original = DhcpMessage.Parse(TestVectors.DhclientDiscover);
        var destination = new byte[DhcpRelay.MaxMessageSize];
        var rewrite = new RelayRewrite { GatewayIp = Gateway, Policy = Option82Policy.Replace, CircuitId = "c1"u8 };

        _ = DhcpRelay.RewriteForServer(TestVectors.DhclientDiscover, destination, rewrite, out int written);
        var relayed = DhcpMessage.Parse(destination.AsSpan(0, written));

        Assert.Equal(original.Options, relayed.Options.Where(o => o.Code != DhcpOptionCode.RelayAgentInformation));
        Assert.Equal(original.TransactionId, relayed.TransactionId);
        Assert.Equal(original.ClientHardwareAddress, relayed.ClientHardwareAddress);
    }

    [Fact]
    public void RewriteForClient_strips_option_82()
    {
        var reply = DhcpMessage.Parse(TestVectors.DhclientDiscover);
        reply.Op = 2;
        reply.MessageType = DhcpMessageType.Offer;
        reply.YourIp = Ipv4Address.Parse("100.64.0.50");
        reply.GatewayIp = Gateway;
        reply.Options.Add(new DhcpOption(
            DhcpOptionCode.RelayAgentInformation,
            RelayAgentInformationBuilder.Build((RelayAgentSubOption.CircuitId, "c1"u8.ToArray()))));
        var destination = new byte[DhcpRelay.MaxMessageSize];

        var error = DhcpRelay.RewriteForClient(reply.ToArray(), destination, out int written);

        Assert.Equal(RelayRewriteError.None, error);
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(destination.AsSpan(0, written), out var packet));
        Assert.False(packet.RelayAgentInformation.IsPresent);
        Assert.Equal(DhcpMessageType.Offer, packet.MessageType);
        Assert.Equal(reply.YourIp, packet.YourIp);
        Assert.Equal(Gateway, packet.GatewayIp);
    }
}
