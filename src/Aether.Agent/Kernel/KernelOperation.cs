using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Kernel;

/// <summary>One change to the data plane for one subscriber; applied with others in a batch.</summary>
internal abstract record KernelOperation(Ipv4Address Ip, string Interface)
{
    public TaskCompletionSource<KernelResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Authorize the address (walled garden), count it, and shape it.</summary>
internal sealed record InstallSession(Ipv4Address Ip, string Interface, ushort ClassId, ShapingPolicy Policy) : KernelOperation(Ip, Interface);

/// <summary>Change the shaping of a live session without ending it.</summary>
internal sealed record ChangeRate(Ipv4Address Ip, string Interface, ushort ClassId, ShapingPolicy Policy) : KernelOperation(Ip, Interface);

/// <summary>
/// Remove the session's address from the sets and its filters; the result carries its final counters. Its classes
/// stay, parked for the next session on the shard (see <see cref="Sessions.ClassIdAllocator"/>).
/// </summary>
internal sealed record RemoveSession(Ipv4Address Ip, string Interface, ushort ClassId) : KernelOperation(Ip, Interface);

internal sealed record KernelResult(bool Succeeded, string? Error, Counters? FinalCounters);
