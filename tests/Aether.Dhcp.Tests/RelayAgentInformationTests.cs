namespace Aether.Dhcp.Tests;

public sealed class RelayAgentInformationTests
{
    [Fact]
    public void Reads_every_well_known_sub_option()
    {
        byte[] vendor = [0, 0, 0x0d, 0xe9, 3, 0xaa, 0xbb, 0xcc, 0, 0, 0, 9, 1, 0x01]; // 3561 (Broadband Forum), then 9 (Cisco)
        var value = RelayAgentInformationBuilder.Build(
            (RelayAgentSubOption.CircuitId, "eth 0/1/2:100"u8.ToArray()),
            (RelayAgentSubOption.RemoteId, "cpe-42"u8.ToArray()),
            (RelayAgentSubOption.LinkSelection, [100, 64, 2, 0]),
            (RelayAgentSubOption.SubscriberId, "sub-0042"u8.ToArray()),
            (RelayAgentSubOption.VendorSpecific, vendor),
            (RelayAgentSubOption.ServerIdentifierOverride, [100, 64, 1, 1]),
            (RelayAgentSubOption.RelayId, "bng1"u8.ToArray()));

        var info = new RelayAgentInformation(value);

        Assert.True(info.IsPresent);
        Assert.True(info.IsWellFormed);
        Assert.Equal("eth 0/1/2:100"u8.ToArray(), info.CircuitId.ToArray());
        Assert.Equal("cpe-42"u8.ToArray(), info.RemoteId.ToArray());
        Assert.Equal("sub-0042"u8.ToArray(), info.SubscriberId.ToArray());
        Assert.Equal("bng1"u8.ToArray(), info.RelayId.ToArray());
        Assert.True(info.TryGetLinkSelection(out var link));
        Assert.Equal("100.64.2.0", link.ToString());
        Assert.True(info.TryGetServerIdentifierOverride(out var server));
        Assert.Equal("100.64.1.1", server.ToString());
        Assert.True(info.TryGetVendorSpecific(3561, out var bbf));
        Assert.Equal([0xaa, 0xbb, 0xcc], bbf.ToArray());
        Assert.True(info.TryGetVendorSpecific(9, out var cisco));
        Assert.Equal([0x01], cisco.ToArray());
        Assert.False(info.TryGetVendorSpecific(4874, out _));
    }

    [Fact]
    public void Enumerates_sub_options_in_wire_order()
    {
        var info = new RelayAgentInformation(Messages.AgentInfo((2, "r"), (1, "c"), (200, "x")));
        var codes = new List<byte>();

        foreach (var subOption in info)
        {
            codes.Add(subOption.Code);
        }

        Assert.Equal([2, 1, 200], codes);
    }

    [Fact]
    public void Stops_at_a_sub_option_running_past_the_value()
    {
        byte[] value = [1, 2, (byte)'c', (byte)'1', 2, 9, (byte)'r'];

        var info = new RelayAgentInformation(value);

        Assert.False(info.IsWellFormed);
        Assert.Equal("c1"u8.ToArray(), info.CircuitId.ToArray());
        Assert.True(info.RemoteId.IsEmpty);
    }

    [Fact]
    public void Address_sub_options_must_be_four_octets()
    {
        var info = new RelayAgentInformation(RelayAgentInformationBuilder.Build((RelayAgentSubOption.LinkSelection, [100, 64, 2])));

        Assert.False(info.TryGetLinkSelection(out _));
    }

    [Fact]
    public void Absent_is_not_present()
    {
        Assert.False(default(RelayAgentInformation).IsPresent);
        Assert.False(default(RelayAgentInformation).IsWellFormed);
        Assert.True(default(RelayAgentInformation).CircuitId.IsEmpty);
    }

    [Fact]
    public void Builder_rejects_sub_options_over_255_octets()
    {
        Assert.Throws<ArgumentException>(() => RelayAgentInformationBuilder.Build((1, new byte[256])));
    }

    [Fact]
    public void Reads_option_82_split_across_instances()
    {
        var message = Messages.Request();
        var value = RelayAgentInformationBuilder.Build(
            (RelayAgentSubOption.CircuitId, new byte[250]), (RelayAgentSubOption.RemoteId, "cpe-42"u8.ToArray()));
        message.Options.Add(new DhcpOption(DhcpOptionCode.RelayAgentInformation, value));
        var bytes = message.ToArray();

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out var packet));
        Assert.True(packet.TryGetRelayAgentInformation(stackalloc byte[512], out var info));
        Assert.Equal(2, packet.CountOption(DhcpOptionCode.RelayAgentInformation));
        Assert.Equal("cpe-42"u8.ToArray(), info.RemoteId.ToArray());
        Assert.Equal(250, info.CircuitId.Length);
    }
}
