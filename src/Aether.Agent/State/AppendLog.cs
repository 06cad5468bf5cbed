using System.Buffers.Binary;

namespace Aether.Agent.State;

/// <summary>
/// An append-only file of framed records ([length u32][crc32 u32][payload], little-endian) with group commit:
/// every append is written to the file at once (so it survives the process), and a timer makes the file
/// durable (fsync) every flush interval for everything appended since. Reading stops at the first torn or
/// corrupt record, which is where a crash of the host left the tail.
/// </summary>
internal sealed class AppendLog : IDisposable
{
    private const int HeaderLength = 8;
    private const int MaxRecordLength = 16 * 1024 * 1024;

    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private FileStream _file;
    private TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _dirty;
    private bool _disposed;

    public AppendLog(string path, TimeProvider time, TimeSpan flushInterval)
    {
        _path = path;
        _file = Open(path);
        Length = _file.Length;
        _timer = time.CreateTimer(_ => TryFlush(), null, flushInterval, flushInterval);
    }

    /// <summary>Bytes in the file (records appended so far, after the last rewrite).</summary>
    public long Length { get; private set; }

    /// <summary>Reads every intact record; stops at a torn tail.</summary>
    public static List<byte[]> ReadAll(string path)
    {
        var records = new List<byte[]>();
        if (!File.Exists(path))
        {
            return records;
        }
        var data = File.ReadAllBytes(path);
        var position = 0;
        while (data.Length - position >= HeaderLength)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(position + 4));
            if (length <= 0 || length > MaxRecordLength || data.Length - position - HeaderLength < length)
            {
                break;
            }
            var payload = data.AsSpan(position + HeaderLength, length);
            if (Crc32.Compute(payload) != crc)
            {
                break;
            }
            records.Add(payload.ToArray());
            position += HeaderLength + length;
        }
        return records;
    }

    /// <summary>Writes a record to the file now; it is durable once <see cref="WhenDurable"/> completes.</summary>
    public void Append(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderLength + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.Compute(payload));
        payload.CopyTo(frame.AsSpan(HeaderLength));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _file.Write(frame);
            Length += frame.Length;
            _dirty = true;
        }
    }

    /// <summary>Completes when everything appended before the call is on disk.</summary>
    public Task WhenDurable()
    {
        lock (_lock)
        {
            return _dirty ? _durable.Task : Task.CompletedTask;
        }
    }

    /// <summary>The last error of a timed flush (a full or failing disk), until a flush succeeds again.</summary>
    public string? FlushError { get; private set; }

    private void TryFlush()
    {
        try
        {
            Flush();
            FlushError = null;
        }
        catch (IOException ex)
        {
            // Still dirty: the next tick tries again, and waiters keep waiting for durability.
            FlushError = ex.Message;
        }
    }

    /// <summary>Writes everything pending to disk now.</summary>
    public void Flush()
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (!_dirty || _disposed)
            {
                return;
            }
            _file.Flush(flushToDisk: true);
            _dirty = false;
            done = _durable;
            _durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    /// <summary>Replaces the file with these records (compaction): written beside it, made durable, renamed over it.</summary>
    public void Rewrite(IEnumerable<byte[]> records)
    {
        var temporary = _path + ".tmp";
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long length = 0;
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> header = stackalloc byte[HeaderLength];
                foreach (var payload in records)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
                    BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(payload));
                    file.Write(header);
                    file.Write(payload);
                    length += HeaderLength + payload.Length;
                }
                file.Flush(flushToDisk: true);
            }
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            File.Move(temporary, _path, overwrite: true);
            SyncDirectory(Path.GetDirectoryName(_path)!);
            _file = Open(_path);
            Length = length;
            var done = _durable;
            _durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _dirty = false;
            done.TrySetResult();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
        lock (_lock)
        {
            _disposed = true;
            _file.Dispose();
            _durable.TrySetResult();
        }
    }

    private static FileStream Open(string path) =>
        // No user-space buffer: each Append is one write(2), so a crash of the process loses nothing appended.
        new(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);

    /// <summary>Makes a rename durable: fsync of the directory that holds the file.</summary>
    internal static void SyncDirectory(string directory) => NativeFile.SyncDirectory(directory);
}
