using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Kernel;

[Collection(KernelCollection.Name)]
public sealed class SessionKernelTests : IAsyncLifetime
{
    private readonly NetworkLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    [Fact]
    public async Task Without_a_session_a_subscriber_is_walled_off()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();

        Assert.False(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 1));
    }

    [Fact]
    public async Task Applying_a_batch_records_its_size_and_duration()
    {
        using var log = new Telemetry.MeasurementLog();
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();

        await k.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));

        // The batch's waiters are released before its size and duration are recorded.
        for (var i = 0; i < 100 && log.Of("aether.agent.kernel.batch.duration").Count == 0; i++)
        {
            await Task.Delay(50);
        }
        Assert.Contains(log.Of("aether.agent.kernel.batch.size"), m => m.Value >= 1);
        Assert.NotEmpty(log.Of("aether.agent.kernel.batch.duration"));
    }

    [Fact]
    public async Task A_refused_tc_line_fails_only_its_own_operation_in_the_batch()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();

        // Queued together so that they share batches: fine, refused (tc cannot hold its rate), fine.
        var fine = k.Kernel.ApplyAsync(new InstallSession(Ipv4Address.Parse("100.64.0.51"), "sub0", 0x31, KernelHarness.Plan(3_000, 1_000)), TestTimeouts.Token());
        var refused = k.Kernel.ApplyAsync(new InstallSession(Ipv4Address.Parse("100.64.0.50"), "sub0", 0x30, KernelHarness.Plan(ulong.MaxValue, 1_000)), TestTimeouts.Token());
        var after = k.Kernel.ApplyAsync(new InstallSession(Ipv4Address.Parse("100.64.0.52"), "sub0", 0x32, KernelHarness.Plan(3_000, 1_000)), TestTimeouts.Token());
        Assert.True((await after.WaitAsync(TestTimeouts.Await)).Succeeded);
        var (refusedResult, fineResult) = (await refused.WaitAsync(TestTimeouts.Await), await fine.WaitAsync(TestTimeouts.Await));

        Assert.False(refusedResult.Succeeded);
        Assert.Contains("rate", refusedResult.Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(fineResult.Succeeded, fineResult.Error);
        var classes = await k.TcAsync("class", "show", "dev", k.Down("100.64.0.51"));
        Assert.Contains("class htb 1:31 ", classes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_forwards_counts_and_shapes_both_directions()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();

        await k.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));

        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 5));
        var counters = (await k.Kernel.ReadCountersAsync(TestTimeouts.Token()))[Ipv4Address.Parse(_lab.ClientIp).Value];
        // 5 echoes of 972 bytes of data: 1000-byte IP packets each way.
        Assert.Equal(5UL, counters.PacketsUp);
        Assert.Equal(5UL, counters.PacketsDown);
        Assert.Equal(5_000UL, counters.BytesUp);
        Assert.Equal(5_000UL, counters.BytesDown);
        // The redirects and hash tables put the packets in the session's classes on its download and upload shards.
        Assert.True(await k.ClassBytesAsync(k.Down(_lab.ClientIp), 0x10) >= 5_000);
        Assert.True(await k.ClassBytesAsync(k.Up(_lab.ClientIp), 0x10) >= 5_000);
        k.Log.AssertNoErrors();
    }

    [Fact]
    public async Task Ending_a_session_walls_it_off_at_once_returns_its_final_counters_and_parks_its_classes()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        var ip = Ipv4Address.Parse(_lab.ClientIp);
        await k.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 2));

        var result = await k.ApplyAsync(new RemoveSession(ip, "sub0", 0x10));

        Assert.Equal(2_000UL, result.FinalCounters!.BytesDown);
        Assert.False(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 1));
        Assert.False(await k.ElementExistsAsync(_lab.ClientIp));
        var filter = await NetworkLab.TryIn(_lab.Bng, "tc", "filter", "get", "dev", k.Down(_lab.ClientIp), "parent", "1:", "protocol", "ip", "prio", "10", "handle", TcScript.Handle(ip), "u32");
        Assert.NotEqual(0, filter.ExitCode);
        Assert.Contains("1:10 ", await k.TcAsync("class", "show", "dev", k.Down(_lab.ClientIp)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removal_batch_reads_the_final_counters_of_its_addresses_alone_even_with_one_the_kernel_lacks()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        var client = Ipv4Address.Parse(_lab.ClientIp);
        await k.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));
        var others = Enumerable.Range(0, 100).Select(i => Ipv4Address.Parse($"100.66.0.{10 + i}")).ToList();
        var installed = await Task.WhenAll(others.Select((ip, i) =>
            k.Kernel.ApplyAsync(new InstallSession(ip, "sub0", (ushort)(0x200 + i), KernelHarness.Plan(10_000, 5_000)), TestTimeouts.Token())));
        Assert.All(installed, r => Assert.True(r.Succeeded, r.Error));
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 3));

        // One batch: the client, an idle session, and an address the kernel never had.
        var results = await Task.WhenAll(
            k.Kernel.ApplyAsync(new RemoveSession(client, "sub0", 0x10), TestTimeouts.Token()),
            k.Kernel.ApplyAsync(new RemoveSession(others[7], "sub0", 0x207), TestTimeouts.Token()),
            k.Kernel.ApplyAsync(new RemoveSession(Ipv4Address.Parse("100.66.9.1"), "sub0", 0x400), TestTimeouts.Token()));

        // 3 echoes of 972 bytes of data: 1000-byte IP packets each way.
        Assert.Equal(3_000UL, results[0].FinalCounters!.BytesUp);
        Assert.Equal(3_000UL, results[0].FinalCounters!.BytesDown);
        Assert.Equal(3UL, results[0].FinalCounters!.PacketsDown);
        Assert.Equal(0UL, results[1].FinalCounters!.BytesDown);
        Assert.Equal(0UL, results[2].FinalCounters!.BytesDown + results[2].FinalCounters!.PacketsDown);
        Assert.Equal(99, (await k.Kernel.ReadCountersAsync(TestTimeouts.Token())).Count);
        k.Log.AssertNoErrors();
    }

    [Fact]
    public async Task A_parked_class_is_re_used_by_the_next_session_on_its_shard()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        var other = Ipv4Address.Parse($"100.64.{_lab.Index}.77");
        await k.ApplyAsync(new InstallSession(other, "sub0", 0x10, KernelHarness.Plan(1_000, 1_000)));
        await k.ApplyAsync(new RemoveSession(other, "sub0", 0x10));

        await k.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(30_000, 20_000));

        Assert.Contains("rate 30Mbit", await k.TcAsync("class", "show", "dev", k.Down(_lab.ClientIp), "classid", "1:10"), StringComparison.Ordinal);
        var before = await k.ClassBytesAsync(k.Down(_lab.ClientIp), 0x10);
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 2));
        Assert.True(await k.ClassBytesAsync(k.Down(_lab.ClientIp), 0x10) >= before + 2_000);
    }

    [Fact]
    public async Task A_rate_change_applies_in_place_and_keeps_the_counters()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        var ip = Ipv4Address.Parse(_lab.ClientIp);
        await k.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 2));

        var plan = KernelHarness.Plan(50_000, 30_000);
        plan.DownloadBurstKbytes = 200;
        await k.ApplyAsync(new ChangeRate(ip, "sub0", 0x10, plan));

        Assert.Contains("rate 50Mbit", await k.TcAsync("class", "show", "dev", k.Down(_lab.ClientIp), "classid", "1:10"), StringComparison.Ordinal);
        Assert.Contains("burst 200000b", await k.TcAsync("class", "show", "dev", k.Down(_lab.ClientIp), "classid", "1:10"), StringComparison.Ordinal);
        Assert.Contains("rate 30Mbit", await k.TcAsync("class", "show", "dev", k.Up(_lab.ClientIp), "classid", "1:10"), StringComparison.Ordinal);
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 2));
        var counters = (await k.Kernel.ReadCountersAsync(TestTimeouts.Token()))[ip.Value];
        Assert.Equal(4UL, counters.PacketsUp);
        Assert.True(await k.ClassBytesAsync(k.Down(_lab.ClientIp), 0x10) >= 4_000);
    }

    [Fact]
    public async Task Sessions_on_each_subscriber_interface_are_independent()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();

        await k.InstallAsync(_lab.Client2Ip, 0x11, KernelHarness.Plan(20_000, 10_000), iface: "sub1");

        Assert.True(await _lab.PingAsync(_lab.Client2, _lab.ServerIp, count: 2));
        Assert.False(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 1));
        Assert.True(await k.ClassBytesAsync(k.Down(_lab.Client2Ip, "sub1"), 0x11) >= 2_000);
        Assert.True(await k.ClassBytesAsync(k.Up(_lab.Client2Ip, "sub1"), 0x11) >= 2_000);
    }

    [Fact]
    public async Task A_restarted_programmer_keeps_sessions_forwarding_with_their_counters()
    {
        await using (var before = new KernelHarness(_lab))
        {
            await before.StartAsync();
            await before.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));
            Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 2));
        }
        var log = new TestLog();

        await using var after = new KernelHarness(_lab, log);
        await after.StartAsync();

        Assert.True(log.Logged(1306));
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 1));
        var snapshot = await after.Kernel.ReadSnapshotAsync(TestTimeouts.Token());
        Assert.Equal(3UL, snapshot.Elements[Ipv4Address.Parse(_lab.ClientIp).Value].PacketsUp);
        Assert.True(snapshot.IsShaped("sub0", Ipv4Address.Parse(_lab.ClientIp), 0x10));
    }

    [Fact]
    public async Task A_changed_shard_count_rebuilds_the_layout_and_removes_surplus_shards()
    {
        await using (var before = new KernelHarness(_lab))
        {
            await before.StartAsync();
        }
        var log = new TestLog();
        await using var rebuilt = new KernelHarness(_lab, log, shards: 2);

        await rebuilt.StartAsync();

        var links = (await NetworkLab.In(_lab.Bng, "ip", "-o", "link", "show")).StandardOutput;
        Assert.Contains("sub0-d01:", links, StringComparison.Ordinal);
        Assert.DoesNotContain("sub0-d03:", links, StringComparison.Ordinal);
        Assert.True(log.Logged(1307), string.Join("\n", log.Entries.Select(e => e.Message)));
        await rebuilt.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 2));
        Assert.True(await rebuilt.ClassBytesAsync(rebuilt.Down(_lab.ClientIp), 0x10) >= 2_000);
    }

    [Fact]
    public async Task Orphaned_kernel_state_is_removed()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        await k.InstallAsync(_lab.ClientIp, 0x10, KernelHarness.Plan(20_000, 10_000));
        await k.InstallAsync(_lab.Client2Ip, 0x11, KernelHarness.Plan(20_000, 10_000), iface: "sub1");

        var keep = new ShapedClass("sub1", TcScript.Shard(Ipv4Address.Parse(_lab.Client2Ip), k.Options.ShapingShards), 0x11);
        await k.Kernel.RemoveOrphansAsync([Ipv4Address.Parse(_lab.ClientIp)], [keep], TestTimeouts.Token());

        var snapshot = await k.Kernel.ReadSnapshotAsync(TestTimeouts.Token());
        Assert.False(snapshot.Elements.ContainsKey(Ipv4Address.Parse(_lab.ClientIp).Value));
        Assert.False(snapshot.HasClass(k.Down(_lab.ClientIp), 0x10));
        Assert.True(snapshot.IsShaped("sub1", Ipv4Address.Parse(_lab.Client2Ip), 0x11));
        Assert.True(await _lab.PingAsync(_lab.Client2, _lab.ServerIp, count: 1));
    }

    [Fact]
    public async Task Thousands_of_sessions_go_in_as_one_batch_each_with_its_class_and_filter()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        var installs = Enumerable.Range(0, 2_000)
            .Select(i => new InstallSession(Ipv4Address.Parse($"100.{64 + (i / 250 % 4)}.{i % 250}.{20 + (i / 1_000)}"), "sub0", (ushort)(0x100 + i), KernelHarness.Plan(10_000, 5_000)))
            .ToList();

        var results = await Task.WhenAll(installs.Select(op => k.Kernel.ApplyAsync(op, TestTimeouts.Token()))).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        var snapshot = await k.Kernel.ReadSnapshotAsync(TestTimeouts.Token());
        Assert.Equal(2_000, snapshot.Elements.Count);
        Assert.All(installs, op => Assert.True(snapshot.IsShaped("sub0", op.Ip, op.ClassId)));
        // Spread over the shards by third octet (0..249 over 4 shards), not piled on one device.
        Assert.All(Enumerable.Range(0, 4), shard => Assert.InRange(snapshot.Classes[TcScript.DownloadDevice("sub0", shard)].Count, 400, 600));
        foreach (var op in installs.Where((_, i) => i % 397 == 0))
        {
            var filter = await NetworkLab.TryIn(_lab.Bng, "tc", "filter", "get", "dev", k.Down(op.Ip.ToString()), "parent", "1:", "protocol", "ip", "prio", "10", "handle", TcScript.Handle(op.Ip), "u32");
            Assert.Contains($"flowid 1:{op.ClassId:x}", filter.StandardOutput, StringComparison.Ordinal);
        }
    }
}
