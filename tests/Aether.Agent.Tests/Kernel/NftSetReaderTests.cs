using System.Text;
using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Kernel;

public sealed class NftSetReaderTests
{
    // As nft 1.0.6 prints `nft -j list set inet aether sub_up`.
    private const string Listing = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"set": {"family": "inet", "name": "sub_up", "table": "aether", "type": "ipv4_addr", "handle": 1,
        "elem": [{"elem": {"val": "100.64.0.2", "counter": {"packets": 3, "bytes": 1500}}},
        {"elem": {"val": "100.64.1.17", "counter": {"packets": 18446744073709551615, "bytes": 0}}},
        {"elem": {"val": "100.64.255.255", "counter": {"packets": 0, "bytes": 7}}}], "stmt": [{"counter": null}]}}]}
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Every_element_and_its_counter_is_read_however_the_output_arrives(int chunk)
    {
        var read = new List<(string Ip, ulong Packets, ulong Bytes)>();

        await NftSetReader.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes(Listing), chunk), (ip, packets, bytes) => read.Add((ip.ToString(), packets, bytes)), TestTimeouts.Token());

        Assert.Equal([("100.64.0.2", 3UL, 1500UL), ("100.64.1.17", ulong.MaxValue, 0UL), ("100.64.255.255", 0UL, 7UL)], read);
    }

    [Fact]
    public async Task An_empty_set_has_no_elements()
    {
        const string empty = """{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"set": {"family": "inet", "name": "sub_up", "table": "aether", "type": "ipv4_addr", "handle": 1, "stmt": [{"counter": null}]}}]}""";
        var count = 0;

        await NftSetReader.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes(empty), 16), (_, _, _) => count++, TestTimeouts.Token());

        Assert.Equal(0, count);
    }

    /// <summary>Hands out at most <paramref name="chunk"/> bytes per read, as a pipe may.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
