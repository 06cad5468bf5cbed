using System.Collections.Concurrent;

namespace Aether.Agent.Dhcp;

/// <summary>Relay packet counters: relayed in each direction and dropped by reason, per interface.</summary>
internal sealed class RelayCounters
{
    /// <summary>Counters of drops that belong to no subscriber interface (replies from the server).</summary>
    public const string ServerSide = "server";

    private readonly ConcurrentDictionary<string, long[]> _drops = new(StringComparer.Ordinal);
    private long _toServer;
    private long _toClient;

    public long ToServer => Interlocked.Read(ref _toServer);

    public long ToClient => Interlocked.Read(ref _toClient);

    public void RelayedToServer() => Interlocked.Increment(ref _toServer);

    public void RelayedToClient() => Interlocked.Increment(ref _toClient);

    public void Drop(string @interface, DropReason reason)
    {
        var counts = _drops.GetOrAdd(@interface, static _ => new long[DropReasons.Count]);
        Interlocked.Increment(ref counts[(int)reason]);
    }

    public long Dropped(string @interface, DropReason reason) =>
        _drops.TryGetValue(@interface, out var counts) ? Interlocked.Read(ref counts[(int)reason]) : 0;

    /// <summary>Every non-zero drop counter as (interface, reason, count).</summary>
    public IReadOnlyList<(string Interface, DropReason Reason, long Count)> Snapshot()
    {
        var result = new List<(string, DropReason, long)>();
        foreach (var (name, counts) in _drops)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                var count = Interlocked.Read(ref counts[i]);
                if (count > 0)
                {
                    result.Add((name, (DropReason)i, count));
                }
            }
        }
        return result;
    }
}
