using System.Collections.Concurrent;

namespace Aether.Controller.Sessions;

/// <summary>
/// Ended sessions (Disconnect, idle timeout, any stop an agent reports) are remembered for a while so that the
/// reconciler does not bring them back from the lease that Kea still holds. A lease the client renewed after the
/// session ended is a new transaction and is not held back.
/// </summary>
internal sealed class Tombstones
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public Tombstones(TimeProvider time) => _time = time;

    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Remembers an ended session for <see cref="Ttl"/>, or until its lease would have run out if that is later.</summary>
    public void Add(string bngId, string mac, string ip, DateTimeOffset? leaseExpires = null)
    {
        var now = _time.GetUtcNow();
        var until = now + Ttl;
        if (leaseExpires > until)
        {
            until = leaseExpires.Value;
        }
        var entry = new Entry(now, until);
        _entries[Key(bngId, mac)] = entry;
        _entries[Key(bngId, ip)] = entry;
    }

    public bool Contains(string bngId, string macOrIp) => Find(bngId, macOrIp) is not null;

    /// <summary>True when the lease (by MAC or address) belongs to an ended session and was not renewed since it ended.</summary>
    public bool Holds(string bngId, string mac, string ip, DateTimeOffset leaseTransaction)
    {
        var entry = Find(bngId, mac) ?? Find(bngId, ip);
        return entry is not null && leaseTransaction <= entry.Value.Ended;
    }

    private Entry? Find(string bngId, string macOrIp)
    {
        if (!_entries.TryGetValue(Key(bngId, macOrIp), out var entry))
        {
            return null;
        }
        if (entry.Until > _time.GetUtcNow())
        {
            return entry;
        }
        _entries.TryRemove(Key(bngId, macOrIp), out _);
        return null;
    }

    private readonly record struct Entry(DateTimeOffset Ended, DateTimeOffset Until);

    public int Count => _entries.Count;

    private static string Key(string bngId, string value) => bngId + "|" + value;
}
