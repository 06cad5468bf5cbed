using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Kernel;

/// <summary>The data plane as the session table sees it.</summary>
internal interface ISessionKernel
{
    /// <summary>Completes once the base ruleset and qdiscs are in place.</summary>
    Task Ready { get; }

    /// <summary>Queues a change; it is applied with others in one batch.</summary>
    Task<KernelResult> ApplyAsync(KernelOperation operation, CancellationToken cancellationToken);

    /// <summary>No operation is waiting and no batch is being applied: background work (the class pool) may go.</summary>
    bool IsIdle { get; }

    /// <summary>
    /// Creates session classes ahead of demand (Agent:ClassPool): each on both devices of its shard, at a placeholder
    /// rate, with no filter, in one tc batch beside the operation queue (never holding it up).
    /// </summary>
    Task<KernelResult> CreateClassesAsync(IReadOnlyList<ShapedClass> classes, CancellationToken cancellationToken);

    /// <summary>Every authorized address's counters, in one read.</summary>
    Task<Dictionary<uint, Counters>> ReadCountersAsync(CancellationToken cancellationToken);

    /// <summary>What the kernel holds now: set elements with counters and tc classes per device.</summary>
    Task<KernelSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes kernel state that belongs to no session (after a restart): these addresses (set elements and filters),
    /// and every class other than those to keep (sessions' and parked ones).
    /// </summary>
    Task RemoveOrphansAsync(IReadOnlyCollection<Ipv4Address> addresses, IReadOnlyCollection<ShapedClass> keep, CancellationToken cancellationToken);
}

/// <summary>A class present on both devices of an interface's shard.</summary>
internal readonly record struct ShapedClass(string Interface, int Shard, ushort ClassId);

/// <summary>Kernel state read back at start.</summary>
/// <param name="Elements">Addresses in both sets, with their counters.</param>
/// <param name="Classes">Session class minors per shard device.</param>
/// <param name="Shards">Shard devices per interface and direction.</param>
internal sealed record KernelSnapshot(Dictionary<uint, Counters> Elements, Dictionary<string, HashSet<ushort>> Classes, int Shards)
{
    public bool HasClass(string device, ushort classId) => Classes.TryGetValue(device, out var set) && set.Contains(classId);

    /// <summary>Both of the session's classes are where its address says they should be.</summary>
    public bool IsShaped(string iface, Ipv4Address ip, ushort classId) =>
        HasClass(TcScript.DownloadDevice(iface, ip, Shards), classId) && HasClass(TcScript.UploadDevice(iface, ip, Shards), classId);
}
