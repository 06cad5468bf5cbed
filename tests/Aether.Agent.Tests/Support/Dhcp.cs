using System.Text;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Support;

/// <summary>Client requests for relay tests, built with the codec's writer.</summary>
internal static class Dhcp
{
    public static readonly byte[] ClientMac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x42];

    public static byte[] Request(DhcpMessageType type = DhcpMessageType.Discover, string? circuitId = "1/0/1", string remoteId = "relay-01",
        string? giaddr = null, byte hops = 0, byte[]? rawOption82 = null, byte op = 1)
    {
        var message = new DhcpMessage
        {
            Op = op,
            TransactionId = 0x1234abcd,
            Hops = hops,
            ClientHardwareAddress = [.. ClientMac],
            GatewayIp = giaddr is null ? Ipv4Address.Any : Ipv4Address.Parse(giaddr),
        };
        message.MessageType = type;
        message.Options.Add(new DhcpOption(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 51]));
        if (rawOption82 is not null)
        {
            message.Options.Add(new DhcpOption(DhcpOptionCode.RelayAgentInformation, rawOption82));
        }
        else if (circuitId is not null)
        {
            message.Options.Add(new DhcpOption(DhcpOptionCode.RelayAgentInformation, RelayAgentInformationBuilder.Build(
                (RelayAgentSubOption.CircuitId, Encoding.ASCII.GetBytes(circuitId)),
                (RelayAgentSubOption.RemoteId, Encoding.ASCII.GetBytes(remoteId)))));
        }
        return message.ToArray();
    }
}
