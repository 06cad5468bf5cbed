using System.Diagnostics;
using System.Globalization;
using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;
using Aether.Dhcp;
using Xunit.Abstractions;

namespace Aether.Agent.Tests.Kernel;

/// <summary>
/// Installs, sweeps and removes sessions in thousands through the real kernel and prints what each step took.
/// 2,000 sessions by default; AETHER_AGENT_SCALE=50000 measures the agent's target. Times are reported, never asserted.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class KernelScaleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Batch = 1_000;
    private readonly NetworkLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    private static int Sessions => int.TryParse(Environment.GetEnvironmentVariable("AETHER_AGENT_SCALE"), CultureInfo.InvariantCulture, out var n) ? n : 2 * Batch;

    /// <summary>Sessions spread over 100.64.0.0/16 as a pool of that size would hand them out.</summary>
    private static Ipv4Address Address(int i) => new(0x64400000u + (uint)i + 1);

    [Fact]
    public async Task Sessions_install_sweep_and_remove_in_batches_at_scale()
    {
        await using var k = new KernelHarness(_lab, shards: 16);
        await k.StartAsync();
        var total = Sessions;
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < total; start += Batch)
        {
            var ops = Enumerable.Range(start, Math.Min(Batch, total - start))
                .Select(i => new InstallSession(Address(i), "sub0", (ushort)(0x10 + i), KernelHarness.Plan(10_000, 5_000)))
                .ToList();
            var started = clock.Elapsed;
            var results = await Task.WhenAll(ops.Select(op => k.Kernel.ApplyAsync(op, CancellationToken.None))).WaitAsync(TimeSpan.FromMinutes(10));
            Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
            output.WriteLine($"install {start + ops.Count,6} sessions: last {ops.Count} in {(clock.Elapsed - started).TotalMilliseconds:0} ms");
        }

        var sweep = Stopwatch.StartNew();
        var counters = await k.Kernel.ReadCountersAsync(CancellationToken.None);
        output.WriteLine($"counter sweep of {counters.Count} sessions: {sweep.ElapsedMilliseconds} ms");
        Assert.Equal(total, counters.Count);

        var removal = Stopwatch.StartNew();
        var removed = Math.Min(Batch, total);
        var removals = await Task.WhenAll(Enumerable.Range(0, removed)
            .Select(i => k.Kernel.ApplyAsync(new RemoveSession(Address(i), "sub0", (ushort)(0x10 + i)), CancellationToken.None))).WaitAsync(TimeSpan.FromMinutes(5));
        output.WriteLine($"remove {removed} of {total} sessions: {removal.ElapsedMilliseconds} ms");
        Assert.All(removals, r => Assert.NotNull(r.FinalCounters));
        var snapshot = await k.Kernel.ReadSnapshotAsync(CancellationToken.None);
        Assert.Equal(total - removed, snapshot.Elements.Count);
        // Ended sessions leave their classes parked for the next session on the shard.
        Assert.Equal(total, snapshot.Classes.Where(c => c.Key.StartsWith("sub0-d", StringComparison.Ordinal)).Sum(c => c.Value.Count));

        var churn = Stopwatch.StartNew();
        var reinstalls = await Task.WhenAll(Enumerable.Range(0, removed)
            .Select(i => k.Kernel.ApplyAsync(new InstallSession(Address(i), "sub0", (ushort)(0x10 + i), KernelHarness.Plan(20_000, 5_000)), CancellationToken.None))).WaitAsync(TimeSpan.FromMinutes(5));
        output.WriteLine($"install {removed} sessions on parked classes at {total}: {churn.ElapsedMilliseconds} ms");
        Assert.All(reinstalls, r => Assert.True(r.Succeeded, r.Error));
    }
}
