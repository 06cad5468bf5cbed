using Aether.Dhcp.Framing;

namespace Aether.Dhcp.Tests;

/// <summary>Captured frames stored as hex under Vectors/ ('#' lines are comments saying how they were captured).</summary>
internal static class TestVectors
{
    public static byte[] Load(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Vectors", name))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'));
        return Convert.FromHexString(string.Concat(lines));
    }

    public static byte[] DhclientDiscoverFrame => Load("dhclient-discover.hex");

    /// <summary>The DHCP message inside the dhclient DISCOVER frame.</summary>
    public static byte[] DhclientDiscover
    {
        get
        {
            Assert.True(EthernetFrame.TryParseUdp(DhclientDiscoverFrame, out var udp));
            return udp.Payload.ToArray();
        }
    }

    public static readonly byte[] ClientMac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
}
