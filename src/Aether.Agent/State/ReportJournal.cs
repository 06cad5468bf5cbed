using System.Buffers.Binary;
using Aether.Contracts.Agent.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Aether.Agent.State;

/// <summary>
/// The outbox of reports (session started/stopped, policy applied) that must reach the controller, kept on disk
/// until acked: written at once, made durable in batches, replayed with their original sequence numbers after a
/// reconnect or a restart. Bounded: when full the oldest report is dropped, counted and logged, so that the
/// newest state of every subscriber still goes out.
/// </summary>
internal sealed partial class ReportJournal : IDisposable
{
    private const byte MessageRecord = 1;
    private const byte AckRecord = 2;
    private const byte DropRecord = 3;
    private const int CompactSlack = 10_000;

    private readonly SortedDictionary<ulong, AgentMessage> _pending = [];
    private readonly Lock _lock = new();
    private readonly AppendLog _log;
    private readonly int _maxEntries;
    private readonly ILogger<ReportJournal> _logger;
    private long _records;
    private long _dropped;

    public ReportJournal(AgentStateDirectory directory, IOptions<AgentOptions> options, TimeProvider time, ILogger<ReportJournal> logger)
    {
        _maxEntries = options.Value.Journal.MaxEntries;
        _logger = logger;
        ulong highest = 0;
        foreach (var record in AppendLog.ReadAll(directory.JournalPath))
        {
            _records++;
            switch (record[0])
            {
                case MessageRecord:
                    var message = AgentMessage.Parser.ParseFrom(record.AsSpan(1));
                    _pending[message.Seq] = message;
                    highest = Math.Max(highest, message.Seq);
                    break;
                case AckRecord or DropRecord when record.Length == 9:
                    _pending.Remove(BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(1)));
                    break;
            }
        }
        directory.SkipPast(highest);
        Replayed = _pending.Count;
        _log = new AppendLog(directory.JournalPath, time, options.Value.Journal.FlushInterval);
        if (Replayed > 0)
        {
            LogLoaded(Replayed, directory.JournalPath);
        }
        Compact();
    }

    /// <summary>Reports found in the journal at start (not acked before the agent stopped).</summary>
    public int Replayed { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Reports dropped because the journal was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Bytes in the journal file.</summary>
    public long Bytes => _log.Length;

    public void Append(AgentMessage message)
    {
        var body = message.ToByteArray();
        var payload = new byte[1 + body.Length];
        payload[0] = MessageRecord;
        body.CopyTo(payload, 1);
        lock (_lock)
        {
            while (_pending.Count >= _maxEntries)
            {
                var oldest = _pending.First();
                _pending.Remove(oldest.Key);
                _log.Append(SeqRecord(DropRecord, oldest.Key));
                _records++;
                var dropped = Interlocked.Increment(ref _dropped);
                if (dropped == 1 || dropped % 1_000 == 0)
                {
                    LogOverflow(_maxEntries, oldest.Key, oldest.Value.BodyCase.ToString(), dropped);
                }
            }
            _pending[message.Seq] = message;
            _log.Append(payload);
            _records++;
        }
    }

    /// <summary>The controller has handled this report: it need not be sent again.</summary>
    public void Acknowledge(ulong seq)
    {
        lock (_lock)
        {
            if (!_pending.Remove(seq))
            {
                return;
            }
            _log.Append(SeqRecord(AckRecord, seq));
            _records++;
            if (_records > (2L * _pending.Count) + CompactSlack)
            {
                Compact();
            }
        }
    }

    /// <summary>Acknowledges every pending report up to and including <paramref name="seq"/>; returns how many.</summary>
    public int AcknowledgeThrough(ulong seq)
    {
        lock (_lock)
        {
            var handled = _pending.Keys.TakeWhile(k => k <= seq).ToList();
            foreach (var key in handled)
            {
                Acknowledge(key);
            }
            return handled.Count;
        }
    }

    /// <summary>Every report not yet acked, oldest first.</summary>
    public List<AgentMessage> Pending()
    {
        lock (_lock)
        {
            return [.. _pending.Values];
        }
    }

    /// <summary>Completes when everything journaled so far is on disk.</summary>
    public Task WhenDurable() => _log.WhenDurable();

    public void Dispose() => _log.Dispose();

    private void Compact()
    {
        lock (_lock)
        {
            var records = _pending.Values.Select(m =>
            {
                var body = m.ToByteArray();
                var payload = new byte[1 + body.Length];
                payload[0] = MessageRecord;
                body.CopyTo(payload, 1);
                return payload;
            }).ToList();
            _log.Rewrite(records);
            _records = records.Count;
        }
    }

    private static byte[] SeqRecord(byte kind, ulong seq)
    {
        var payload = new byte[9];
        payload[0] = kind;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(1), seq);
        return payload;
    }

    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, Message = "Journal {Path} holds {Count} reports not acked by the controller; they are replayed on connect")]
    private partial void LogLoaded(int count, string path);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Journal full ({MaxEntries} reports): dropped the oldest, seq {Seq} ({Kind}); {Dropped} dropped so far")]
    private partial void LogOverflow(int maxEntries, ulong seq, string kind, long dropped);
}
