namespace Aether.Dhcp.Tests;

public sealed class DhcpParseErrorTests
{
    private const int Options = 240;

    [Fact]
    public void Bad_op()
    {
        var bytes = Messages.Request().ToArray();
        bytes[0] = 3;

        Assert.Equal(DhcpParseError.BadOp, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Hardware_length_beyond_chaddr()
    {
        var bytes = Messages.Request().ToArray();
        bytes[2] = 17;

        Assert.Equal(DhcpParseError.BadHardwareLength, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Missing_message_type_is_bootp()
    {
        var bytes = Messages.Request().ToArray();
        bytes[Options] = DhcpOptionCode.Pad;
        bytes[Options + 1] = DhcpOptionCode.Pad;
        bytes[Options + 2] = DhcpOptionCode.Pad;

        Assert.Equal(DhcpParseError.MissingMessageType, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Message_type_of_wrong_length()
    {
        var message = Messages.Request();
        message.Options[0] = new DhcpOption(DhcpOptionCode.MessageType, [1, 1]);
        var bytes = message.ToArray();

        Assert.Equal(DhcpParseError.BadMessageType, DhcpPacket.TryParse(bytes, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Overload_value_out_of_range(byte value)
    {
        var bytes = WithOptionsTail(DhcpOptionCode.OptionOverload, 1, value);

        Assert.Equal(DhcpParseError.BadOverload, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Overload_inside_the_file_field()
    {
        var bytes = WithOptionsTail(DhcpOptionCode.OptionOverload, 1, 1);
        bytes[108] = DhcpOptionCode.OptionOverload;
        bytes[109] = 1;
        bytes[110] = 1;

        Assert.Equal(DhcpParseError.BadOverload, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Overrun_in_an_overloaded_field()
    {
        var bytes = WithOptionsTail(DhcpOptionCode.OptionOverload, 1, 2);
        bytes[44 + 62] = DhcpOptionCode.HostName;
        bytes[44 + 63] = 5;

        Assert.Equal(DhcpParseError.OptionOverrun, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Option_code_without_length_octet()
    {
        var bytes = Messages.Request().ToArray().AsSpan(0, Options + 3 + 1).ToArray();
        bytes[^1] = DhcpOptionCode.HostName;

        Assert.Equal(DhcpParseError.OptionOverrun, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Longer_than_any_udp_payload()
    {
        var bytes = new byte[65508];
        Messages.Request().ToArray().CopyTo(bytes, 0);

        Assert.Equal(DhcpParseError.TooLong, DhcpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Default_packet_reads_as_empty()
    {
        DhcpPacket packet = default;

        Assert.Equal(0, packet.Op);
        Assert.True(packet.ClientHardwareAddress.IsEmpty);
        Assert.False(packet.TryGetOption(DhcpOptionCode.MessageType, out _));
        Assert.False(packet.RelayAgentInformation.IsPresent);
    }

    /// <summary>A request whose options field ends with the given bytes then End.</summary>
    private static byte[] WithOptionsTail(params byte[] tail)
    {
        var bytes = Messages.Request().ToArray();
        int end = bytes.AsSpan(Options).IndexOf(DhcpOptionCode.End) + Options;
        tail.CopyTo(bytes, end);
        bytes[end + tail.Length] = DhcpOptionCode.End;
        return bytes;
    }
}
