using Aether.Agent.Kernel;
using Aether.Agent.Sessions;
using Aether.Agent.Tests.Sessions;
using Aether.Agent.Tests.Support;

namespace Aether.Agent.Tests.Kernel;

/// <summary>The class pool against the real kernel: a session table over a real kernel programmer in the lab's namespaces.</summary>
[Collection(KernelCollection.Name)]
public sealed class ClassPoolKernelTests : IAsyncLifetime
{
    private const int Pool = 16;
    private readonly NetworkLab _lab = new();
    private readonly TempDirectory _dir = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Pooled_classes_are_created_on_every_shard_at_the_placeholder_rate_with_no_filter()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        using var h = Table(k);

        var result = await h.Manager.FillClassPoolAsync(Pool, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);

        Assert.True(result.Complete);
        // 2 interfaces x 4 shards x 2 directions, 2 classes on each device.
        foreach (var iface in new[] { "sub0", "sub1" })
        {
            foreach (var (dev, _) in TcScript.Devices(iface, k.Options.ShapingShards))
            {
                var classes = await k.TcAsync("class", "show", "dev", dev);
                Assert.Equal(2, TcScript.ParseClasses(classes).Count);
                Assert.Equal(2, classes.Split('\n').Count(l => l.Contains("rate 8Kbit", StringComparison.Ordinal)));
                Assert.DoesNotContain("flowid", await k.TcAsync("filter", "show", "dev", dev), StringComparison.Ordinal);
            }
        }
        k.Log.AssertNoErrors();
        h.Log.AssertNoErrors();
    }

    [Fact]
    public async Task A_session_takes_a_pooled_class_without_creating_one_and_is_shaped_by_it()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        using var h = Table(k);
        await h.Manager.FillClassPoolAsync(Pool, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
        var pooled = TcScript.ParseClasses(await k.TcAsync("class", "show", "dev", k.Down(_lab.ClientIp)));

        var session = await h.OnlineAsync(SessionHarness.Key(), _lab.ClientIp);

        Assert.Contains(session.ClassId, pooled);
        Assert.Equal(pooled, TcScript.ParseClasses(await k.TcAsync("class", "show", "dev", k.Down(_lab.ClientIp))));
        Assert.Equal(pooled, TcScript.ParseClasses(await k.TcAsync("class", "show", "dev", k.Up(_lab.ClientIp))));
        Assert.Contains("rate 10Mbit", await k.TcAsync("class", "show", "dev", k.Down(_lab.ClientIp), "classid", $"1:{session.ClassId:x}"), StringComparison.Ordinal);
        Assert.True(await _lab.PingAsync(_lab.Client, _lab.ServerIp, count: 2));
        Assert.True(await k.ClassBytesAsync(k.Down(_lab.ClientIp), session.ClassId) >= 2_000);
        Assert.True(await k.ClassBytesAsync(k.Up(_lab.ClientIp), session.ClassId) >= 2_000);
    }

    [Fact]
    public async Task A_restart_keeps_the_pool_and_does_not_create_it_again()
    {
        HashSet<ushort> before;
        await using (var k = new KernelHarness(_lab))
        {
            await k.StartAsync();
            using var h = Table(k);
            await h.Manager.RecoverAsync(TestTimeouts.Token());
            await h.Manager.FillClassPoolAsync(Pool, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
            before = (await k.Kernel.ReadSnapshotAsync(TestTimeouts.Token())).Classes.Values.SelectMany(c => c).ToHashSet();
        }

        await using var restarted = new KernelHarness(_lab);
        await restarted.StartAsync();
        using var after = Table(restarted);
        await after.Manager.RecoverAsync(TestTimeouts.Token());
        var result = await after.Manager.FillClassPoolAsync(Pool, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);

        Assert.Equal(Pool, before.Count);
        Assert.Equal(new ClassPoolResult(0, Pool, Complete: true), result);
        var snapshot = await restarted.Kernel.ReadSnapshotAsync(TestTimeouts.Token());
        Assert.Equal(before, snapshot.Classes.Values.SelectMany(c => c).ToHashSet());
        Assert.All(snapshot.Classes.Values, c => Assert.Equal(2, c.Count));
        Assert.Equal(Pool, after.Manager.ParkedClasses);
        after.Log.AssertNoErrors();
    }

    [Fact]
    public async Task An_interface_with_its_own_pool_gets_it_on_its_shards_only()
    {
        await using var k = new KernelHarness(_lab);
        await k.StartAsync();
        using var h = new SessionHarness(o =>
        {
            o.ShapingShards = k.Options.ShapingShards;
            o.ClassPool = 0;
            o.SubscriberInterfaces[1].ClassPool = Pool;
        }, _dir.Path, programmer: k.Kernel);

        var result = await h.Manager.FillClassPoolAsync(0, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);

        Assert.True(result.Complete);
        Assert.Equal(Pool, result.Parked);
        foreach (var (dev, _) in TcScript.Devices("sub1", k.Options.ShapingShards))
        {
            Assert.Equal(Pool / k.Options.ShapingShards, TcScript.ParseClasses(await k.TcAsync("class", "show", "dev", dev)).Count);
        }
        foreach (var (dev, _) in TcScript.Devices("sub0", k.Options.ShapingShards))
        {
            Assert.Empty(TcScript.ParseClasses(await k.TcAsync("class", "show", "dev", dev)));
        }
    }

    private SessionHarness Table(KernelHarness k) =>
        new(o => (o.ShapingShards, o.ClassPool) = (k.Options.ShapingShards, Pool), _dir.Path, programmer: k.Kernel);
}
