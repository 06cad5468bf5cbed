using System.Collections.Concurrent;

namespace Aether.Controller.Sessions;

/// <summary>
/// Sessions ended on purpose (Disconnect, RELEASE) are remembered for a while so that the reconciler does
/// not bring them back from a lease that Kea still holds.
/// </summary>
internal sealed class Tombstones
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public Tombstones(TimeProvider time) => _time = time;

    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(10);

    public void Add(string bngId, string mac, string ip)
    {
        var until = _time.GetUtcNow() + Ttl;
        _entries[Key(bngId, mac)] = until;
        _entries[Key(bngId, ip)] = until;
    }

    public bool Contains(string bngId, string macOrIp)
    {
        if (!_entries.TryGetValue(Key(bngId, macOrIp), out var until))
        {
            return false;
        }
        if (until > _time.GetUtcNow())
        {
            return true;
        }
        _entries.TryRemove(Key(bngId, macOrIp), out _);
        return false;
    }

    public int Count => _entries.Count;

    private static string Key(string bngId, string value) => bngId + "|" + value;
}
