using CsCheck;

namespace Aether.Dhcp.Tests;

/// <summary>CsCheck generators for DHCP messages, options and option 82 sub-options.</summary>
internal static class DhcpGenerators
{
    /// <summary>Codes a generated message may list: not Pad/End/Overload (framing), 53 (set separately), 82 (added last).</summary>
    public static readonly Gen<byte> OptionCode = Gen.Byte[1, 254]
        .Where(c => c is not (DhcpOptionCode.OptionOverload or DhcpOptionCode.MessageType or DhcpOptionCode.RelayAgentInformation));

    /// <summary>Mostly short values, sometimes empty, sometimes long enough to be split (RFC 3396).</summary>
    public static readonly Gen<byte[]> OptionValue = Gen.Frequency(
        (10, Gen.Byte.Array[0, 16]),
        (3, Gen.Byte.Array[17, 255]),
        (1, Gen.Byte.Array[256, 700]));

    public static readonly Gen<(byte Code, byte[] Value)[]> SubOptions =
        Gen.Select(Gen.Byte, Gen.Frequency((6, Gen.Byte.Array[0, 32]), (1, Gen.Byte.Array[33, 255]))).Array[1, 6];

    public static readonly Gen<byte[]?> AgentInfo = Gen.Frequency(
        (1, Gen.Const((byte[]?)null)),
        (2, SubOptions.Select(s => (byte[]?)RelayAgentInformationBuilder.Build(s))));

    public static readonly Gen<string?> FieldString = Gen.Frequency(
        (3, Gen.Const((string?)null)),
        (1, Gen.String[Gen.Char['!', '~'], 1, 63].Select(s => (string?)s)));

    public static readonly Gen<List<DhcpOption>> Options =
        Gen.Select(OptionCode, OptionValue).Array[0, 12]
            .Select(pairs => pairs.DistinctBy(p => p.Item1).Select(p => new DhcpOption(p.Item1, p.Item2)).ToList());

    public static readonly Gen<DhcpMessage> Message =
        from op in Gen.Byte[1, 2]
        from hardwareType in Gen.Byte
        from hops in Gen.Byte
        from xid in Gen.UInt
        from seconds in Gen.UShort
        from flags in Gen.UShort
        from addresses in Gen.UInt.Array[4]
        from chaddr in Gen.Byte.Array[0, 16]
        from serverName in FieldString
        from bootFile in FieldString
        from type in Gen.Byte[1, 18]
        from options in Options
        from agentInfo in AgentInfo
        select Build(op, hardwareType, hops, xid, seconds, flags, addresses, chaddr, serverName, bootFile, type, options, agentInfo);

    private static DhcpMessage Build(
        byte op, byte hardwareType, byte hops, uint xid, ushort seconds, ushort flags, uint[] addresses, byte[] chaddr,
        string? serverName, string? bootFile, byte type, List<DhcpOption> options, byte[]? agentInfo)
    {
        var message = new DhcpMessage
        {
            Op = op,
            HardwareType = hardwareType,
            Hops = hops,
            TransactionId = xid,
            Seconds = seconds,
            Flags = flags,
            ClientIp = new Ipv4Address(addresses[0]),
            YourIp = new Ipv4Address(addresses[1]),
            ServerIp = new Ipv4Address(addresses[2]),
            GatewayIp = new Ipv4Address(addresses[3]),
            ClientHardwareAddress = chaddr,
            ServerName = serverName,
            BootFile = bootFile,
            Options = options,
        };
        message.MessageType = (DhcpMessageType)type;
        if (agentInfo is not null)
        {
            message.Options.Add(new DhcpOption(DhcpOptionCode.RelayAgentInformation, agentInfo));
        }

        return message;
    }

    public static void AssertSame(DhcpMessage expected, DhcpMessage actual)
    {
        Assert.Equal(expected.Op, actual.Op);
        Assert.Equal(expected.HardwareType, actual.HardwareType);
        Assert.Equal(expected.Hops, actual.Hops);
        Assert.Equal(expected.TransactionId, actual.TransactionId);
        Assert.Equal(expected.Seconds, actual.Seconds);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.ClientIp, actual.ClientIp);
        Assert.Equal(expected.YourIp, actual.YourIp);
        Assert.Equal(expected.ServerIp, actual.ServerIp);
        Assert.Equal(expected.GatewayIp, actual.GatewayIp);
        Assert.Equal(expected.ClientHardwareAddress, actual.ClientHardwareAddress);
        Assert.Equal(expected.ServerName, actual.ServerName);
        Assert.Equal(expected.BootFile, actual.BootFile);
        Assert.Equal(expected.Options, actual.Options);
    }
}
