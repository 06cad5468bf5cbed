namespace Aether.Dhcp.Tests;

public sealed class DhcpPacketTests
{
    [Fact]
    public void Parses_dhclient_discover()
    {
        var error = DhcpPacket.TryParse(TestVectors.DhclientDiscover, out var packet);

        Assert.Equal(DhcpParseError.None, error);
        Assert.Equal(1, packet.Op);
        Assert.Equal(1, packet.HardwareType);
        Assert.Equal(6, packet.HardwareLength);
        Assert.Equal(0, packet.Hops);
        Assert.Equal(0xc1272f6du, packet.TransactionId);
        Assert.False(packet.Broadcast);
        Assert.True(packet.GatewayIp.IsAny);
        Assert.Equal(TestVectors.ClientMac, packet.ClientHardwareAddress.ToArray());
        Assert.Equal(DhcpMessageType.Discover, packet.MessageType);
        Assert.True(packet.TryGetOption(DhcpOptionCode.HostName, out var hostName));
        Assert.Equal("vm"u8.ToArray(), hostName.ToArray());
        Assert.True(packet.TryGetOption(DhcpOptionCode.ParameterRequestList, out var requested));
        Assert.Equal(13, requested.Length);
        Assert.False(packet.RelayAgentInformation.IsPresent);
    }

    [Fact]
    public void Rejects_short_input_as_truncated()
    {
        var error = DhcpPacket.TryParse(TestVectors.DhclientDiscover.AsSpan(0, 239), out _);

        Assert.Equal(DhcpParseError.Truncated, error);
    }

    [Fact]
    public void Rejects_wrong_magic_cookie()
    {
        var data = TestVectors.DhclientDiscover;
        data[236] = 0;

        Assert.Equal(DhcpParseError.BadMagicCookie, DhcpPacket.TryParse(data, out _));
    }

    [Fact]
    public void Rejects_option_running_past_the_end()
    {
        var data = TestVectors.DhclientDiscover;
        data[244] = 200; // host name length

        Assert.Equal(DhcpParseError.OptionOverrun, DhcpPacket.TryParse(data, out _));
    }

    [Fact]
    public void Tolerates_missing_end_when_options_end_cleanly()
    {
        var data = TestVectors.DhclientDiscover.AsSpan(0, 240 + 3).ToArray(); // cookie then 53/1/1 only

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(data, out var packet));
        Assert.Equal(DhcpMessageType.Discover, packet.MessageType);
    }
}
