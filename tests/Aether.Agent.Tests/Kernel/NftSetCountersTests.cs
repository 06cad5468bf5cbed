using System.Text;
using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Kernel;

/// <summary>Set counters read over nfnetlink, against the real kernel in the lab's BNG namespace.</summary>
[Collection(KernelCollection.Name)]
public sealed class NftSetCountersTests : IAsyncLifetime
{
    private readonly NetworkLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    private string Table => "nsc" + _lab.Id;

    private static Ipv4Address Address(int i) => new(Ipv4Address.Parse("100.64.0.0").Value + (uint)i + 1);

    /// <summary>A set of <paramref name="count"/> addresses, element i with i packets and 100·i bytes.</summary>
    private async Task CreateSetAsync(int count)
    {
        var script = new StringBuilder($"add table inet {Table}\nadd set inet {Table} s {{ type ipv4_addr; counter; }}\n");
        for (var i = 0; i < count; i++)
        {
            script.Append($"add element inet {Table} s {{ {Address(i)} counter packets {i} bytes {100 * i} }}\n");
        }
        var path = Path.Combine(Path.GetTempPath(), $"aether-nsc-{Guid.NewGuid():N}.nft");
        await File.WriteAllTextAsync(path, script.ToString());
        try
        {
            var result = await NetworkLab.TryIn(_lab.Bng, "nft", "-f", path);
            Assert.True(result.ExitCode == 0, result.StandardError);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_dump_reads_every_element_with_its_counter_across_many_messages()
    {
        // Thousands of elements take many netlink messages (a dump message holds at most 32 KiB).
        await CreateSetAsync(5_000);
        using var reader = new NftSetCounters(_lab.Bng);
        var read = new Dictionary<Ipv4Address, (ulong Packets, ulong Bytes)>();

        var count = reader.Dump(Table, "s", (ip, packets, bytes) => read.Add(ip, (packets, bytes)));

        Assert.Equal(5_000, count);
        Assert.Equal(5_000, read.Count);
        for (var i = 0; i < 5_000; i++)
        {
            Assert.Equal(((ulong)i, (ulong)(100 * i)), read[Address(i)]);
        }
        // And again on the same socket.
        Assert.Equal(5_000, reader.Dump(Table, "s", (_, _, _) => { }));
    }

    [Fact]
    public async Task Chosen_addresses_are_read_alone_and_one_not_in_the_set_is_skipped()
    {
        await CreateSetAsync(2_000);
        using var reader = new NftSetCounters(_lab.Bng);
        // More than one send's worth, with addresses that are not in the set among them.
        List<Ipv4Address> wanted = [.. Enumerable.Range(0, 300).Select(i => Address(i * 5)), Ipv4Address.Parse("198.51.100.7"), Address(5_000)];
        var read = new Dictionary<Ipv4Address, (ulong Packets, ulong Bytes)>();

        var found = reader.Get(Table, "s", wanted, (ip, packets, bytes) => read.Add(ip, (packets, bytes)));

        Assert.True(wanted.Count > NftSetCounters.GetChunk * 4);
        Assert.Equal(300, found);
        Assert.Equal(300, read.Count);
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(((ulong)(i * 5), (ulong)(500 * i)), read[Address(i * 5)]);
        }
    }

    [Fact]
    public async Task A_set_that_does_not_exist_is_an_error_that_names_it()
    {
        await CreateSetAsync(1);
        using var reader = new NftSetCounters(_lab.Bng);

        var ex = Assert.Throws<IOException>(() => reader.Dump(Table, "missing", (_, _, _) => { }));

        Assert.Contains($"inet {Table} missing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("errno 2", ex.Message, StringComparison.Ordinal);
        // The socket carries on.
        Assert.Equal(1, reader.Dump(Table, "s", (_, _, _) => { }));
    }

    [Fact]
    public async Task The_socket_is_in_the_namespace_it_was_given()
    {
        await CreateSetAsync(3);
        using var inLab = new NftSetCounters(_lab.Bng);
        using var here = new NftSetCounters(null);

        Assert.Equal(3, inLab.Dump(Table, "s", (_, _, _) => { }));
        // This process's own namespace has no such table.
        Assert.Throws<IOException>(() => here.Dump(Table, "s", (_, _, _) => { }));
    }

    [Fact]
    public void Malformed_messages_yield_what_is_whole_and_never_read_past_the_end()
    {
        var request = new byte[256];
        var length = NftSetCounters.WriteRequest(request, 1, 1, "t", "s", [Ipv4Address.Parse("100.64.0.1")]);
        var random = new Random(7);
        for (var round = 0; round < 2_000; round++)
        {
            var body = request.AsSpan(16, length - 16).ToArray();
            body[random.Next(body.Length)] = (byte)random.Next(256);
            var cut = body.AsSpan(0, random.Next(body.Length + 1));
            NftSetCounters.ParseElements(cut, (_, _, _) => { });
        }
        // The request's own element list parses as an element with no counter.
        var elements = new List<Ipv4Address>();
        NftSetCounters.ParseElements(request.AsSpan(16, length - 16), (ip, packets, bytes) =>
        {
            Assert.Equal(0UL, packets + bytes);
            elements.Add(ip);
        });
        Assert.Equal([Ipv4Address.Parse("100.64.0.1")], elements);
    }
}
