using System.Collections.Concurrent;

namespace Aether.Agent.Dhcp;

/// <summary>Relay packet counters: relayed in each direction and dropped by reason.</summary>
internal sealed class RelayCounters
{
    private readonly ConcurrentDictionary<string, long> _drops = new(StringComparer.Ordinal);
    private long _toServer;
    private long _toClient;

    public long ToServer => Interlocked.Read(ref _toServer);

    public long ToClient => Interlocked.Read(ref _toClient);

    public IReadOnlyDictionary<string, long> Drops => _drops;

    public void RelayedToServer() => Interlocked.Increment(ref _toServer);

    public void RelayedToClient() => Interlocked.Increment(ref _toClient);

    public void Drop(string reason) => _drops.AddOrUpdate(reason, 1, static (_, v) => v + 1);
}
