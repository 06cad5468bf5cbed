using Aether.Agent.Kernel;
using Aether.Agent.Sessions;
using Aether.Agent.Tests.Support;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Sessions;

public sealed class ClassPoolTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_pool_is_spread_evenly_over_every_shard_of_every_interface()
    {
        using var h = Harness(pool: 20);

        var result = await h.Manager.FillClassPoolAsync(20, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);

        Assert.Equal(new ClassPoolResult(20, 20, Complete: true), result);
        // 2 interfaces x 4 shards: 20 = 3 on the first four shards, 2 on the others.
        var perShard = h.Kernel.Created.GroupBy(c => (c.Interface, c.Shard)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([3, 3, 3, 3, 2, 2, 2, 2], new[] { "sub0", "sub1" }.SelectMany(i => Enumerable.Range(0, 4).Select(k => perShard[(i, k)])));
        Assert.Equal(20, h.Kernel.Created.Select(c => c.ClassId).Distinct().Count());
        Assert.All(h.Kernel.Created, c => Assert.InRange(c.ClassId, ClassIdAllocator.First, ClassIdAllocator.Last));
        Assert.True(h.Log.Logged(1417));
    }

    [Fact]
    public async Task A_new_session_takes_a_pooled_class_of_its_shard()
    {
        using var h = Harness(pool: 8);
        await h.Manager.FillClassPoolAsync(8, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);

        var session = await h.OnlineAsync(SessionHarness.Key(), "100.64.2.10");

        Assert.Contains(new ShapedClass("sub0", 2, session.ClassId), h.Kernel.Created);
        Assert.Equal(7, h.Manager.ParkedClasses);
    }

    [Fact]
    public async Task Classes_already_parked_count_toward_the_pool()
    {
        using var h = Harness(pool: 8);
        var session = await h.OnlineAsync(SessionHarness.Key(), "100.64.1.10");
        await h.Manager.OnClientEndAsync(SessionHarness.Key(), session.Ip, DhcpMessageType.Release, TestTimeouts.Token());

        var result = await h.Manager.FillClassPoolAsync(8, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);

        Assert.Equal(7, result.Created);
        Assert.DoesNotContain(h.Kernel.Created, c => c.Interface == "sub0" && c.Shard == 1);
        Assert.Equal(8, h.Manager.ParkedClasses);
    }

    [Fact]
    public async Task The_pool_waits_while_the_kernel_has_session_work()
    {
        using var h = Harness(pool: 8);
        h.Kernel.Idle = false;

        var filling = h.Manager.FillClassPoolAsync(8, TestTimeouts.Token());
        h.Time.Advance(SessionManager.PoolIdlePoll);
        Assert.Empty(h.Kernel.Created);
        h.Kernel.Idle = true;
        await TestTimeouts.WaitUntilAsync(() =>
        {
            h.Time.Advance(SessionManager.PoolIdlePoll);
            return filling.IsCompleted;
        }, "the pool to go on once the kernel is idle");
        var result = await filling.WaitAsync(TestTimeouts.Await);

        Assert.True(result.Complete);
        Assert.Equal(8, h.Kernel.Created.Count);
    }

    [Fact]
    public async Task A_refused_pool_leaves_sessions_creating_their_own_classes()
    {
        using var h = Harness(pool: 8);
        h.Kernel.FailCreates = true;

        var result = await h.Manager.FillClassPoolAsync(8, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
        var session = await h.OnlineAsync(SessionHarness.Key(), "100.64.2.10");

        Assert.False(result.Complete);
        Assert.Equal(0, h.Manager.ParkedClasses);
        Assert.True(h.Log.Logged(1418));
        Assert.Empty(h.Kernel.Created);
        Assert.InRange(session.ClassId, ClassIdAllocator.First, ClassIdAllocator.Last);
    }

    [Fact]
    public async Task A_restart_keeps_the_pool_and_does_not_create_it_again()
    {
        var kernel = new FakeKernel { Shards = 4 };
        List<ushort> pooled;
        using (var before = Harness(pool: 16, kernel))
        {
            await before.Manager.RecoverAsync(TestTimeouts.Token());
            await before.Manager.FillClassPoolAsync(16, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
            pooled = [.. kernel.Created.Select(c => c.ClassId)];
        }

        using var after = Harness(pool: 16, kernel);
        await after.Manager.RecoverAsync(TestTimeouts.Token());
        var result = await after.Manager.FillClassPoolAsync(16, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);

        Assert.Equal(new ClassPoolResult(0, 16, Complete: true), result);
        Assert.Equal(16, kernel.Created.Count);
        Assert.Equal(pooled.Order(), kernel.Kept.Select(k => k.ClassId).Order());
    }

    [Fact]
    public void A_pool_beyond_the_class_ids_is_a_startup_error()
    {
        var options = TestOptions.Valid("/var/lib/aether-agent");
        options.ClassPool = ClassIdAllocator.Capacity + 1;

        var error = Assert.Single(AgentOptionsValidator.Errors(options));

        Assert.Contains("Agent:ClassPool", error, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private SessionHarness Harness(int pool, FakeKernel? kernel = null) =>
        new(o => (o.ShapingShards, o.ClassPool) = (4, pool), _dir.Path, kernel ?? new FakeKernel { Shards = 4 });
}
