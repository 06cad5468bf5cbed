namespace Aether.Dhcp.Tests;

public sealed class DhcpMessageTests
{
    public static TheoryData<DhcpMessageType> AllMessageTypes => [.. Enum.GetValues<DhcpMessageType>()];

    [Theory]
    [MemberData(nameof(AllMessageTypes))]
    public void Writes_and_reads_every_message_type(DhcpMessageType type)
    {
        var message = type is DhcpMessageType.Discover or DhcpMessageType.Request or DhcpMessageType.Decline
            or DhcpMessageType.Release or DhcpMessageType.Inform or DhcpMessageType.LeaseQuery
            or DhcpMessageType.BulkLeaseQuery or DhcpMessageType.ActiveLeaseQuery
            ? Messages.Request(type)
            : Messages.Reply(type);

        var bytes = message.ToArray();

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out var packet));
        Assert.Equal(type, packet.MessageType);
        Assert.Equal(type, DhcpMessage.Parse(bytes).MessageType);
    }

    [Fact]
    public void Writes_and_reads_common_options()
    {
        var message = Messages.Reply(DhcpMessageType.Ack);
        message.Options.Add(DhcpOption.FromAddresses(DhcpOptionCode.DomainNameServer, Ipv4Address.Parse("100.64.0.53"), Ipv4Address.Parse("100.64.0.54")));
        message.Options.Add(DhcpOption.FromUInt32(DhcpOptionCode.RenewalTime, 1800));
        message.Options.Add(DhcpOption.FromUInt32(DhcpOptionCode.RebindingTime, 3150));
        message.Options.Add(DhcpOption.FromUInt16(DhcpOptionCode.MaxMessageSize, 1500));
        message.Options.Add(DhcpOption.FromString(DhcpOptionCode.Message, "ok"));
        message.Options.Add(DhcpOption.FromAddresses(DhcpOptionCode.SubnetSelection, Ipv4Address.Parse("100.64.2.0")));
        message.Options.Add(new DhcpOption(DhcpOptionCode.RapidCommit, []));

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(message.ToArray(), out var packet));
        Assert.True(packet.TryGetIpv4Option(DhcpOptionCode.SubnetMask, out var mask));
        Assert.Equal("255.255.255.0", mask.ToString());
        Assert.True(packet.TryGetOption(DhcpOptionCode.DomainNameServer, out var dns));
        Assert.Equal(8, dns.Length);
        Assert.True(packet.TryGetUInt32Option(DhcpOptionCode.RenewalTime, out uint t1));
        Assert.Equal(1800u, t1);
        Assert.True(packet.TryGetUInt32Option(DhcpOptionCode.RebindingTime, out uint t2));
        Assert.Equal(3150u, t2);
        Assert.True(packet.TryGetUInt16Option(DhcpOptionCode.MaxMessageSize, out ushort max));
        Assert.Equal(1500, max);
        Assert.True(packet.TryGetIpv4Option(DhcpOptionCode.SubnetSelection, out var link));
        Assert.Equal("100.64.2.0", link.ToString());
        Assert.True(packet.TryGetOption(DhcpOptionCode.RapidCommit, out var rapid));
        Assert.True(rapid.IsEmpty);
        Assert.False(packet.TryGetIpv4Option(DhcpOptionCode.DomainNameServer, out _)); // 8 octets, not one address
    }

    [Fact]
    public void Round_trips_header_fields()
    {
        var message = Messages.Reply(DhcpMessageType.Ack);
        message.Hops = 3;
        message.Seconds = 7;
        message.Broadcast = true;
        message.ClientIp = Ipv4Address.Parse("100.64.1.7");
        message.ServerIp = Ipv4Address.Parse("100.64.0.9");
        message.ServerName = "kea1";
        message.BootFile = "pxelinux.0";

        var parsed = DhcpMessage.Parse(message.ToArray());

        Assert.Equal(3, parsed.Hops);
        Assert.Equal(7, parsed.Seconds);
        Assert.True(parsed.Broadcast);
        Assert.Equal(0x8000, parsed.Flags);
        Assert.Equal(message.ClientIp, parsed.ClientIp);
        Assert.Equal(message.YourIp, parsed.YourIp);
        Assert.Equal(message.ServerIp, parsed.ServerIp);
        Assert.Equal(message.GatewayIp, parsed.GatewayIp);
        Assert.Equal("kea1", parsed.ServerName);
        Assert.Equal("pxelinux.0", parsed.BootFile);
        Assert.Equal(message.Options, parsed.Options);
    }

    [Fact]
    public void Splits_long_values_into_instances_of_255()
    {
        var message = Messages.Reply();
        var routes = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();
        message.Options.Add(new DhcpOption(DhcpOptionCode.ClasslessStaticRoute, routes));

        var bytes = message.ToArray();

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out var packet));
        Assert.Equal(3, packet.CountOption(DhcpOptionCode.ClasslessStaticRoute));
        Assert.Equal(600, packet.GetOptionLength(DhcpOptionCode.ClasslessStaticRoute));
        Assert.True(packet.TryGetOption(DhcpOptionCode.ClasslessStaticRoute, out var first));
        Assert.Equal(255, first.Length);
        Assert.True(packet.TryGetOption(DhcpOptionCode.ClasslessStaticRoute, new byte[600], out var joined));
        Assert.Equal(routes, joined.ToArray());
        Assert.False(packet.TryGetOption(DhcpOptionCode.ClasslessStaticRoute, new byte[599], out _));
        Assert.Equal(routes, DhcpMessage.Parse(bytes).Options.Single(o => o.Code == DhcpOptionCode.ClasslessStaticRoute).Value);
    }

    [Fact]
    public void Single_instance_is_returned_in_place_without_scratch()
    {
        var bytes = Messages.Reply().ToArray();

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out var packet));
        Assert.True(packet.TryGetOption(DhcpOptionCode.ServerIdentifier, Span<byte>.Empty, out var server));
        Assert.Equal(4, server.Length);
    }

    [Fact]
    public void Overloads_file_and_sname_to_stay_within_max_length()
    {
        var message = Messages.Reply(DhcpMessageType.Ack);
        message.MaxLength = 576;
        for (byte code = 160; code < 170; code++)
        {
            message.Options.Add(new DhcpOption(code, Enumerable.Repeat(code, 30).ToArray()));
        }

        var bytes = message.ToArray();

        Assert.True(bytes.Length <= 576);
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out var packet));
        Assert.NotEqual(0, packet.OptionOverload);
        Assert.True(packet.ServerNameField.IsEmpty || packet.BootFileField.IsEmpty);
        var parsed = DhcpMessage.Parse(bytes);
        Assert.Equal(message.Options, parsed.Options);
        Assert.Null(parsed.BootFile);
    }

    [Fact]
    public void Does_not_overload_fields_in_use()
    {
        var message = Messages.Reply(DhcpMessageType.Ack);
        message.MaxLength = 576;
        message.BootFile = "boot.ipxe";
        message.ServerName = "tftp1";
        for (byte code = 160; code < 170; code++)
        {
            message.Options.Add(new DhcpOption(code, new byte[40]));
        }

        Assert.Throws<InvalidOperationException>(() => message.ToArray());
    }

    [Fact]
    public void Reads_options_continued_in_file_and_sname()
    {
        // RFC 2132 section 9.3 / RFC 3396 section 7: options field, then file, then sname.
        var bytes = Messages.Request().ToArray();
        bytes[240 + 3 + 8 + 8] = DhcpOptionCode.Pad; // the End after 53, 12, 55
        byte[] options = [DhcpOptionCode.OptionOverload, 1, 3, DhcpOptionCode.End];
        byte[] file = [DhcpOptionCode.ClientIdentifier, 3, 1, 2, 3, DhcpOptionCode.Message, 2, (byte)'a', (byte)'b', DhcpOptionCode.End];
        byte[] sname = [DhcpOptionCode.Message, 1, (byte)'c', DhcpOptionCode.End];
        options.CopyTo(bytes, 240 + 3 + 8 + 8);
        file.CopyTo(bytes, 108);
        sname.CopyTo(bytes, 44);

        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out var packet));
        Assert.Equal(3, packet.OptionOverload);
        Assert.True(packet.TryGetOption(DhcpOptionCode.ClientIdentifier, out var clientId));
        Assert.Equal([1, 2, 3], clientId.ToArray());
        Assert.True(packet.TryGetOption(DhcpOptionCode.Message, new byte[16], out var text));
        Assert.Equal("abc"u8.ToArray(), text.ToArray());
        var parsed = DhcpMessage.Parse(bytes);
        Assert.Null(parsed.ServerName);
        Assert.Null(parsed.BootFile);
        Assert.DoesNotContain(parsed.Options, o => o.Code == DhcpOptionCode.OptionOverload);
    }

    [Fact]
    public void MessageType_setter_puts_option_53_first()
    {
        var message = new DhcpMessage();
        message.Options.Add(DhcpOption.FromString(DhcpOptionCode.HostName, "x"));

        message.MessageType = DhcpMessageType.Inform;
        message.MessageType = DhcpMessageType.Request;

        Assert.Equal(DhcpOptionCode.MessageType, message.Options[0].Code);
        Assert.Equal(2, message.Options.Count);
        Assert.Equal(DhcpMessageType.Request, message.MessageType);
    }

    [Fact]
    public void Pads_to_the_bootp_minimum()
    {
        Assert.Equal(300, Messages.Request().ToArray().Length);
    }

    [Fact]
    public void Parse_throws_the_parse_error()
    {
        var exception = Assert.Throws<DhcpFormatException>(() => DhcpMessage.Parse(new byte[100]));

        Assert.Equal(DhcpParseError.Truncated, exception.Error);
    }
}
