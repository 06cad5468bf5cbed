using System.Net;

namespace Aether.Dhcp.Tests;

public sealed class Ipv4AddressTests
{
    [Theory]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("100.64.0.1", 0x64400001u)]
    [InlineData("255.255.255.255", uint.MaxValue)]
    public void Parses_and_formats_dotted_quads(string text, uint value)
    {
        var address = Ipv4Address.Parse(text);

        Assert.Equal(value, address.Value);
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1..3.4")]
    [InlineData("1234.1.1.1")]
    [InlineData(null)]
    public void Rejects_anything_but_a_dotted_quad(string? text)
    {
        Assert.False(Ipv4Address.TryParse(text, out _));
    }

    [Fact]
    public void Reads_and_writes_network_order()
    {
        byte[] bytes = [100, 64, 1, 2];

        var address = Ipv4Address.Read(bytes);
        var written = new byte[4];
        address.Write(written);

        Assert.Equal("100.64.1.2", address.ToString());
        Assert.Equal(bytes, written);
    }

    [Fact]
    public void Converts_to_and_from_IPAddress()
    {
        var address = Ipv4Address.Parse("100.64.1.2");

        Assert.Equal(IPAddress.Parse("100.64.1.2"), address.ToIPAddress());
        Assert.Equal(address, Ipv4Address.FromIPAddress(IPAddress.Parse("100.64.1.2")));
        Assert.Equal(address, Ipv4Address.FromIPAddress(IPAddress.Parse("::ffff:100.64.1.2")));
        Assert.Throws<ArgumentException>(() => Ipv4Address.FromIPAddress(IPAddress.IPv6Loopback));
    }
}
