using System.Text;
using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Kernel;

public sealed class TcScriptTests
{
    [Fact]
    public void An_address_goes_to_the_shard_of_its_third_octet_and_the_bucket_of_its_fourth()
    {
        var ip = Ipv4Address.Parse("100.64.7.42");

        Assert.Equal(7 % 4, TcScript.Shard(ip, 4));
        Assert.Equal("sub0-d03", TcScript.DownloadDevice("sub0", ip, 4));
        Assert.Equal("sub0-u03", TcScript.UploadDevice("sub0", ip, 4));
        Assert.StartsWith("100:2a:", TcScript.Handle(ip), StringComparison.Ordinal);
    }

    [Fact]
    public void Addresses_that_share_a_shard_and_bucket_get_distinct_handles()
    {
        // Same fourth octet and shard, every /24 of 100.64.0.0/10 that hashes to shard 0 of 16.
        var addresses = Enumerable.Range(0, 1 << 14).Select(n => new Ipv4Address(0x64400000u | ((uint)n << 8) | 9)).Where(a => TcScript.Shard(a, 16) == 0).ToList();

        var handles = addresses.Select(TcScript.Handle).ToList();

        Assert.Equal(1_024, handles.Count);
        Assert.Equal(handles.Count, handles.Distinct().Count());
    }

    [Fact]
    public void Every_third_octet_value_is_redirected_to_its_shard()
    {
        var tc = new StringBuilder();
        TcScript.AppendRedirects(tc, "sub0", 4);
        var lines = tc.ToString().Split('\n');

        Assert.Contains("filter add dev sub0 parent ffff:fff3 protocol ip prio 10 u32 ht 200:7: match u32 0 0 action mirred egress redirect dev sub0-d03", lines);
        Assert.Contains("filter add dev sub0 parent ffff:fff2 protocol ip prio 10 u32 ht 201:ff: match u32 0 0 action mirred egress redirect dev sub0-u03", lines);
        Assert.Equal(256, lines.Count(l => l.Contains("parent ffff:fff3", StringComparison.Ordinal) && l.Contains("redirect", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_rate_change_rewrites_only_the_classes()
    {
        var tc = new StringBuilder();
        TcScript.AppendShaping(tc, "sub0", 16, Ipv4Address.Parse("100.64.0.10"), 0x20, new ShapingPolicy { DownloadKbps = 2000, UploadKbps = 1000 }, withFilter: false);

        var lines = tc.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("class replace", l, StringComparison.Ordinal));
    }

    [Fact]
    public void The_burst_is_the_policys_or_a_hundred_milliseconds_at_the_rate()
    {
        Assert.Equal(64_000UL, TcScript.BurstBytes(64, 1000));
        Assert.Equal(125_000UL, TcScript.BurstBytes(0, 10_000));
        Assert.Equal(16_000UL, TcScript.BurstBytes(0, 100));
    }

    [Fact]
    public void Class_listing_yields_session_minors_only()
    {
        const string output = "class htb 1:ffff parent 1:1 prio 0 rate 10Gbit\nclass htb 1:10 parent 1:1 rate 1Mbit\nclass htb 1:1 root rate 10Gbit\nclass htb 1:a0 parent 1:1 rate 2Mbit\n";

        Assert.Equal(new HashSet<ushort> { 0x10, 0xa0 }, TcScript.ParseClasses(output));
    }
}
