using System.Buffers.Binary;
using System.Text;
using Aether.Contracts.Agent.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Aether.Agent.State;

/// <summary>What the kernel cannot hold about a session: its identity, policy, lease and tc class.</summary>
internal sealed record StoredSession(SessionState State, ushort ClassId, bool Provisional);

/// <summary>
/// The session state file: an append-only log of puts and removes, compacted when it holds far more records than
/// live sessions. Together with the kernel's set elements and tc classes it rebuilds the session table after a
/// restart. Session starts wait for the group commit (eager: about one fsync); renewals do not.
/// </summary>
internal sealed class SessionStore : IDisposable
{
    private const byte PutRecord = 1;
    private const byte RemoveRecord = 2;
    private const int CompactSlack = 1_000;

    private readonly AppendLog _log;
    private readonly Dictionary<string, StoredSession> _live = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _records;

    public SessionStore(AgentStateDirectory directory, IOptions<AgentOptions> options, TimeProvider time)
    {
        foreach (var record in AppendLog.ReadAll(directory.SessionsPath))
        {
            Apply(record);
            _records++;
        }
        // Eager: a session start waits for its record to be durable before the ACK goes out.
        _log = new AppendLog(directory.SessionsPath, time, options.Value.Journal.FlushInterval, eager: true);
        CompactIfNeeded();
    }

    /// <summary>The sessions the file held when the agent started, and what was put since.</summary>
    public IReadOnlyList<StoredSession> Load()
    {
        lock (_lock)
        {
            return [.. _live.Values];
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _live.Count;
            }
        }
    }

    /// <summary>Records a session (new, renewed or re-shaped); durable once the returned task completes.</summary>
    public Task PutAsync(StoredSession session)
    {
        var payload = Encode(session);
        lock (_lock)
        {
            _live[session.State.SessionId] = session;
            _log.Append(payload);
            _records++;
        }
        CompactIfNeeded();
        return _log.WhenDurable();
    }

    public Task RemoveAsync(string sessionId)
    {
        var id = Encoding.UTF8.GetBytes(sessionId);
        var payload = new byte[1 + id.Length];
        payload[0] = RemoveRecord;
        id.CopyTo(payload, 1);
        lock (_lock)
        {
            if (!_live.Remove(sessionId))
            {
                return Task.CompletedTask;
            }
            _log.Append(payload);
            _records++;
        }
        CompactIfNeeded();
        return _log.WhenDurable();
    }

    public void Dispose() => _log.Dispose();

    private static byte[] Encode(StoredSession session)
    {
        var state = session.State.ToByteArray();
        var payload = new byte[4 + state.Length];
        payload[0] = PutRecord;
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(1), session.ClassId);
        payload[3] = session.Provisional ? (byte)1 : (byte)0;
        state.CopyTo(payload, 4);
        return payload;
    }

    private void Apply(byte[] record)
    {
        switch (record[0])
        {
            case PutRecord when record.Length >= 4:
                var state = SessionState.Parser.ParseFrom(record.AsSpan(4));
                _live[state.SessionId] = new StoredSession(state, BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(1)), record[3] == 1);
                break;
            case RemoveRecord:
                _live.Remove(Encoding.UTF8.GetString(record.AsSpan(1)));
                break;
        }
    }

    private void CompactIfNeeded()
    {
        lock (_lock)
        {
            if (_records <= (2 * _live.Count) + CompactSlack)
            {
                return;
            }
            var records = _live.Values.Select(Encode).ToList();
            _log.Rewrite(records);
            _records = records.Count;
        }
    }
}
