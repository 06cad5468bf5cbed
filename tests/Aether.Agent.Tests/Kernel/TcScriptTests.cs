using System.Text;
using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Kernel;

public sealed class TcScriptTests
{
    [Fact]
    public void An_address_hashes_on_its_third_then_fourth_octet()
    {
        var (table, bucket, node) = TcScript.Slot(Ipv4Address.Parse("100.64.7.42"));

        Assert.Equal(0x107, table);
        Assert.Equal(42, bucket);
        Assert.InRange(node, 1, 0xfff);
    }

    [Fact]
    public void Addresses_that_share_a_bucket_get_distinct_handles()
    {
        // Same last two octets, different /16s of 100.64.0.0/10: same table and bucket.
        var handles = Enumerable.Range(64, 64).Select(b => TcScript.Handle(Ipv4Address.Parse($"100.{b}.3.9"))).ToList();

        Assert.Equal(handles.Count, handles.Distinct().Count());
        Assert.All(handles, h => Assert.StartsWith("103:9:", h, StringComparison.Ordinal));
    }

    [Fact]
    public void A_rate_change_rewrites_only_the_classes()
    {
        var tc = new StringBuilder();
        TcScript.AppendShaping(tc, "sub0", "ifb-sub0", Ipv4Address.Parse("100.64.0.10"), 0x20, new ShapingPolicy { DownloadKbps = 2000, UploadKbps = 1000 }, withFilter: false);

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
