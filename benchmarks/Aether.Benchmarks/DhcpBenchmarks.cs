using Aether.Dhcp;
using Aether.Dhcp.Framing;
using BenchmarkDotNet.Attributes;

namespace Aether.Benchmarks;

/// <summary>The relay data path: a client DISCOVER in, Option 82 rewritten, framed toward the server.</summary>
[MemoryDiagnoser]
public class DhcpBenchmarks
{
    private static readonly byte[] RelayMac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe];
    private static readonly byte[] ServerMac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
    private static readonly byte[] CircuitId = "bng1 eth 0/1/2:100"u8.ToArray();
    private static readonly byte[] RemoteId = "subscriber-42"u8.ToArray();
    private static readonly byte[] RelayId = "bng1"u8.ToArray();
    private static readonly Ipv4Address Gateway = Ipv4Address.Parse("100.64.1.1");
    private static readonly Ipv4Address Server = Ipv4Address.Parse("100.64.0.1");

    private readonly byte[] _relayed = new byte[DhcpRelay.MaxMessageSize];
    private readonly byte[] _frame = new byte[DhcpRelay.MaxMessageSize + EthernetFrame.UdpHeadersLength];
    private byte[] _discover = [];
    private byte[] _discoverFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        // The shape of an ISC dhclient DISCOVER: 53, 12, 55 (13 codes), padded to 300 octets.
        var discover = new DhcpMessage { TransactionId = 0xc1272f6d, ClientHardwareAddress = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01] };
        discover.MessageType = DhcpMessageType.Discover;
        discover.Options.Add(DhcpOption.FromString(DhcpOptionCode.HostName, "vm"));
        discover.Options.Add(new DhcpOption(DhcpOptionCode.ParameterRequestList, [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42]));
        _discover = discover.ToArray();
        _discoverFrame = new byte[EthernetFrame.UdpHeadersLength + _discover.Length];
        _ = EthernetFrame.WriteUdp(
            _discoverFrame, discover.ClientHardwareAddress, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], Ipv4Address.Any, Ipv4Address.Broadcast, 68, 67, _discover);
    }

    [Benchmark(Baseline = true)]
    public int DhcpParse()
    {
        _ = DhcpPacket.TryParse(_discover, out var packet);
        return (int)packet.MessageType + packet.ClientHardwareAddress.Length + (packet.RelayAgentInformation.IsPresent ? 1 : 0);
    }

    [Benchmark]
    public int DhcpParseRewriteWrite()
    {
        _ = DhcpPacket.TryParse(_discover, out var packet);
        var rewrite = new RelayRewrite
        {
            GatewayIp = Gateway,
            Policy = Option82Policy.Replace,
            CircuitId = CircuitId,
            RemoteId = RemoteId,
            RelayId = RelayId,
            IncrementHops = true,
        };
        _ = DhcpRelay.RewriteForServer(packet.Raw, _relayed, rewrite, out int written);
        return written;
    }

    [Benchmark]
    public int DhcpFrameParseRewriteFrameWrite()
    {
        _ = EthernetFrame.TryParseUdp(_discoverFrame, out var udp);
        _ = DhcpPacket.TryParse(udp.Payload, out var packet);
        var rewrite = new RelayRewrite
        {
            GatewayIp = Gateway,
            Policy = Option82Policy.Replace,
            CircuitId = CircuitId,
            RemoteId = RemoteId,
            RelayId = RelayId,
            IncrementHops = true,
        };
        _ = DhcpRelay.RewriteForServer(packet.Raw, _relayed, rewrite, out int written);
        return EthernetFrame.WriteUdp(_frame, RelayMac, ServerMac, Gateway, Server, 67, 67, _relayed.AsSpan(0, written));
    }
}
