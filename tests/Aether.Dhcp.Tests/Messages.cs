namespace Aether.Dhcp.Tests;

/// <summary>Typical messages for tests, built with <see cref="DhcpMessage"/>.</summary>
internal static class Messages
{
    public static readonly Ipv4Address Relay = Ipv4Address.Parse("100.64.1.1");
    public static readonly Ipv4Address Server = Ipv4Address.Parse("100.64.0.1");
    public static readonly Ipv4Address Leased = Ipv4Address.Parse("100.64.1.100");

    public static DhcpMessage Request(DhcpMessageType type = DhcpMessageType.Discover)
    {
        var message = new DhcpMessage
        {
            Op = 1,
            TransactionId = 0x1234abcd,
            ClientHardwareAddress = [.. TestVectors.ClientMac],
        };
        message.MessageType = type;
        message.Options.Add(DhcpOption.FromString(DhcpOptionCode.HostName, "cpe-42"));
        message.Options.Add(new DhcpOption(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 15, 51, 54]));
        return message;
    }

    public static DhcpMessage Reply(DhcpMessageType type = DhcpMessageType.Offer)
    {
        var message = new DhcpMessage
        {
            Op = 2,
            TransactionId = 0x1234abcd,
            YourIp = Leased,
            GatewayIp = Relay,
            ClientHardwareAddress = [.. TestVectors.ClientMac],
        };
        message.MessageType = type;
        message.Options.Add(DhcpOption.FromAddresses(DhcpOptionCode.ServerIdentifier, Server));
        message.Options.Add(DhcpOption.FromUInt32(DhcpOptionCode.IpAddressLeaseTime, 3600));
        message.Options.Add(DhcpOption.FromAddresses(DhcpOptionCode.SubnetMask, Ipv4Address.Parse("255.255.255.0")));
        message.Options.Add(DhcpOption.FromAddresses(DhcpOptionCode.Router, Relay));
        return message;
    }

    public static byte[] AgentInfo(params (byte Code, string Value)[] subOptions) =>
        RelayAgentInformationBuilder.Build([.. subOptions.Select(s => (s.Code, System.Text.Encoding.ASCII.GetBytes(s.Value)))]);
}
