using System.Buffers.Binary;

namespace Aether.Agent.State;

/// <summary>
/// An append-only file of framed records ([length u32][crc32 u32][payload], little-endian) with group commit:
/// every append is written to the file at once (so it survives the process), and a timer makes the file
/// durable (fsync) every flush interval for everything appended since. An eager log does not wait for the
/// timer: an append wakes a flusher that syncs at once, and whatever is appended while it syncs goes in the
/// next sync, so a waiter waits about one fsync however busy the log is (the timer stays, to retry after an
/// error). Reading stops at the first torn or corrupt record, which is where a crash of the host left the tail.
/// </summary>
internal sealed class AppendLog : IDisposable
{
    private const int HeaderLength = 8;
    private const int MaxRecordLength = 16 * 1024 * 1024;

    private readonly string _path;
    private readonly Lock _lock = new();
    // One sync or rewrite at a time (taken before _lock); appends only take _lock.
    private readonly Lock _syncLock = new();
    private readonly ITimer _timer;
    private FileStream _file;
    private TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Set by an append, reset by the flusher before each sync. No spinning before the flusher sleeps (a
    // SemaphoreSlim spins in sched_yield first, which under load was a few percent of the agent's CPU).
    private readonly ManualResetEventSlim? _wake;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread? _flusher;
    private bool _dirty;
    private bool _disposed;

    public AppendLog(string path, TimeProvider time, TimeSpan flushInterval, bool eager = false)
    {
        _path = path;
        _file = Open(path);
        Length = _file.Length;
        _timer = time.CreateTimer(_ => TryFlush(), null, flushInterval, flushInterval);
        if (eager)
        {
            _wake = new ManualResetEventSlim(false, spinCount: 0);
            // A thread of its own: fsync blocks its caller, and a thread-pool worker held in it is one the pool
            // does not have for relaying and session starts (on 2 cores the pool starts with 2).
            _flusher = new Thread(FlushEagerly) { IsBackground = true, Name = "state sync " + Path.GetFileName(path) };
            _flusher.Start();
        }
    }

    private void FlushEagerly()
    {
        try
        {
            while (true)
            {
                _wake!.Wait(_stopping.Token);
                // Reset before the sync: an append from here on sets it again and gets the next sync.
                _wake.Reset();
                TryFlush();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
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
        if (_wake is { IsSet: false })
        {
            _wake.Set();
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

    /// <summary>
    /// Writes everything pending to disk now. Appends are not held up by the sync: what they add meanwhile waits
    /// for the next one.
    /// </summary>
    public void Flush()
    {
        lock (_syncLock)
        {
            TaskCompletionSource done;
            FileStream file;
            lock (_lock)
            {
                if (!_dirty || _disposed)
                {
                    return;
                }
                _dirty = false;
                done = _durable;
                _durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                file = _file;
            }
            try
            {
                // The handle, not the FileStream: appends keep writing through the stream while this syncs.
                RandomAccess.FlushToDisk(file.SafeFileHandle);
            }
            catch
            {
                // Not durable: these waiters wait for the next sync that succeeds, with the appends since.
                lock (_lock)
                {
                    _dirty = true;
                    _durable.Task.ContinueWith(_ => done.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                throw;
            }
            done.TrySetResult();
        }
    }

    /// <summary>Replaces the file with these records (compaction): written beside it, made durable, renamed over it.</summary>
    public void Rewrite(IEnumerable<byte[]> records)
    {
        var temporary = _path + ".tmp";
        lock (_syncLock)
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
        _stopping.Cancel();
        _flusher?.Join(TimeSpan.FromSeconds(5));
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
