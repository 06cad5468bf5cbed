using System.Collections.Concurrent;
using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Support;

/// <summary>The kernel as a table: set elements with counters the test moves, and classes per device.</summary>
internal sealed class FakeKernel : ISessionKernel
{
    public ConcurrentQueue<KernelOperation> Applied { get; } = new();

    public ConcurrentDictionary<uint, Counters> Elements { get; } = new();

    public ConcurrentDictionary<string, HashSet<ushort>> Classes { get; } = new(StringComparer.Ordinal);

    public List<Ipv4Address> RemovedOrphans { get; } = [];

    public bool FailInstalls { get; set; }

    /// <summary>When set, removals complete only once it does (to see which removals are in the kernel together).</summary>
    public TaskCompletionSource? RemovalGate { get; set; }

    /// <summary>As the test options configure it.</summary>
    public int Shards { get; set; } = 16;

    public Task Ready => Task.CompletedTask;

    /// <summary>What <see cref="IsIdle"/> answers: false holds the class pool back.</summary>
    public bool Idle { get; set; } = true;

    public bool IsIdle => Idle;

    /// <summary>Classes created ahead of demand, in the order created.</summary>
    public ConcurrentQueue<ShapedClass> Created { get; } = new();

    public bool FailCreates { get; set; }

    public Task<KernelResult> CreateClassesAsync(IReadOnlyList<ShapedClass> classes, CancellationToken cancellationToken)
    {
        if (FailCreates)
        {
            return Task.FromResult(new KernelResult(false, "refused", null));
        }
        foreach (var c in classes)
        {
            Created.Enqueue(c);
            AddClass(TcScript.DownloadDevice(c.Interface, c.Shard), c.ClassId);
            AddClass(TcScript.UploadDevice(c.Interface, c.Shard), c.ClassId);
        }
        return Task.FromResult(new KernelResult(true, null, null));
    }

    public Task<KernelResult> ApplyAsync(KernelOperation operation, CancellationToken cancellationToken)
    {
        Applied.Enqueue(operation);
        switch (operation)
        {
            case InstallSession install when FailInstalls:
                return Task.FromResult(new KernelResult(false, "refused", null));
            case InstallSession install:
                Elements.TryAdd(install.Ip.Value, new Counters());
                AddClass(TcScript.DownloadDevice(install.Interface, install.Ip, Shards), install.ClassId);
                AddClass(TcScript.UploadDevice(install.Interface, install.Ip, Shards), install.ClassId);
                break;
            case RemoveSession remove when RemovalGate is { } gate:
                return RemoveAfterAsync(remove, gate.Task);
            case RemoveSession remove:
                return Task.FromResult(Remove(remove));
        }
        return Task.FromResult(new KernelResult(true, null, null));
    }

    private async Task<KernelResult> RemoveAfterAsync(RemoveSession remove, Task gate)
    {
        await gate;
        return Remove(remove);
    }

    private KernelResult Remove(RemoveSession remove)
    {
        Elements.TryRemove(remove.Ip.Value, out var final);
        return new KernelResult(true, null, final ?? new Counters());
    }

    public Task<Dictionary<uint, Counters>> ReadCountersAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Elements.ToDictionary(e => e.Key, e => e.Value.Clone()));

    public Task<KernelSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new KernelSnapshot(Elements.ToDictionary(e => e.Key, e => e.Value.Clone()), Classes.ToDictionary(c => c.Key, c => c.Value.ToHashSet(), StringComparer.Ordinal), Shards));

    public List<ShapedClass> Kept { get; } = [];

    public Task RemoveOrphansAsync(IReadOnlyCollection<Ipv4Address> addresses, IReadOnlyCollection<ShapedClass> keep, CancellationToken cancellationToken)
    {
        RemovedOrphans.AddRange(addresses);
        Kept.AddRange(keep);
        foreach (var ip in addresses)
        {
            Elements.TryRemove(ip.Value, out _);
        }
        return Task.CompletedTask;
    }

    public void Count(Ipv4Address ip, ulong bytesUp, ulong bytesDown)
    {
        var c = Elements[ip.Value];
        c.BytesUp += bytesUp;
        c.BytesDown += bytesDown;
        c.PacketsUp += bytesUp > 0 ? 1UL : 0;
        c.PacketsDown += bytesDown > 0 ? 1UL : 0;
    }

    private void AddClass(string device, ushort classId) => Classes.GetOrAdd(device, _ => []).Add(classId);
}
