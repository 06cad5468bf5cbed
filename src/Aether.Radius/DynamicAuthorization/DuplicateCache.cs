using System.Buffers.Binary;
using System.Net;

namespace Aether.Radius.DynamicAuthorization;

/// <summary>
/// Answers sent, keyed by source, Identifier and Request Authenticator, so a retransmitted request gets the same
/// answer without running the handler again (RFC 5080 2.2.2). A request still being handled is marked in progress.
/// </summary>
internal sealed class DuplicateCache(TimeProvider time, TimeSpan window)
{
    private const int PurgeThreshold = 1024;
    private readonly Dictionary<Key, Entry> _entries = [];
    private long _nextPurge;

    public enum Lookup
    {
        New,
        InProgress,
        Answered,
    }

    /// <summary>Registers a new request or returns what is known about a duplicate.</summary>
    public Lookup TryBegin(IPEndPoint source, byte identifier, ReadOnlySpan<byte> authenticator, out byte[]? answer)
    {
        var key = new Key(source, identifier, BinaryPrimitives.ReadUInt128BigEndian(authenticator));
        var now = time.GetTimestamp();
        lock (_entries)
        {
            Purge(now);
            if (_entries.TryGetValue(key, out var entry) && (entry.Answer is null || entry.Expires > now))
            {
                answer = entry.Answer;
                return answer is null ? Lookup.InProgress : Lookup.Answered;
            }

            _entries[key] = new Entry(null, long.MaxValue);
            answer = null;
            return Lookup.New;
        }
    }

    public void Complete(IPEndPoint source, byte identifier, ReadOnlySpan<byte> authenticator, byte[]? answer)
    {
        var key = new Key(source, identifier, BinaryPrimitives.ReadUInt128BigEndian(authenticator));
        var expires = time.GetTimestamp() + (long)(window.TotalSeconds * time.TimestampFrequency);
        lock (_entries)
        {
            if (answer is null)
            {
                _entries.Remove(key);
            }
            else
            {
                _entries[key] = new Entry(answer, expires);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    private void Purge(long now)
    {
        if (_entries.Count < PurgeThreshold && now < _nextPurge)
        {
            return;
        }

        _nextPurge = now + (long)(window.TotalSeconds * time.TimestampFrequency);
        foreach (var (key, entry) in _entries)
        {
            if (entry.Answer is not null && entry.Expires <= now)
            {
                _entries.Remove(key);
            }
        }
    }

    private readonly record struct Key(IPEndPoint Source, byte Identifier, UInt128 Authenticator);

    private readonly record struct Entry(byte[]? Answer, long Expires);
}
