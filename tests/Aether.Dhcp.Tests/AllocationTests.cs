using Aether.Dhcp.Framing;

namespace Aether.Dhcp.Tests;

public sealed class AllocationTests
{
    [Fact]
    public void Parse_rewrite_and_frame_allocate_nothing()
    {
        var request = TestVectors.DhclientDiscover;
        var reply = Messages.Reply().ToArray();
        var relayed = new byte[DhcpRelay.MaxMessageSize];
        var frame = new byte[DhcpRelay.MaxMessageSize + EthernetFrame.UdpHeadersLength];
        byte[] relayMac = [0x02, 0, 0x5e, 0x10, 0, 0xfe];
        byte[] serverMac = [0x02, 0, 0x5e, 0x10, 0, 0x01];
        byte[] circuitId = "bng1 eth 0/1/2:100"u8.ToArray();
        byte[] remoteId = "subscriber-42"u8.ToArray();
        byte[] relayId = "bng1"u8.ToArray();
        long checksum = 0;

        void RunOnce()
        {
            _ = DhcpPacket.TryParse(request, out var packet);
            checksum += packet.TransactionId + packet.RelayAgentInformation.CircuitId.Length;
            var rewrite = new RelayRewrite
            {
                GatewayIp = Messages.Relay,
                Policy = Option82Policy.Replace,
                CircuitId = circuitId,
                RemoteId = remoteId,
                RelayId = relayId,
                IncrementHops = true,
            };
            _ = DhcpRelay.RewriteForServer(request, relayed, rewrite, out int written);
            checksum += EthernetFrame.WriteUdp(frame, relayMac, serverMac, Messages.Relay, Messages.Server, 67, 67, relayed.AsSpan(0, written));
            _ = DhcpRelay.RewriteForClient(reply, relayed, out written);
            _ = EthernetFrame.TryParseUdp(frame, out var udp);
            checksum += udp.Payload.Length + written;
        }

        for (int i = 0; i < 2_000; i++)
        {
            RunOnce();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20_000; i++)
        {
            RunOnce();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, checksum);
    }
}
