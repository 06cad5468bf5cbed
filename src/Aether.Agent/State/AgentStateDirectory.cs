using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Aether.Agent.State;

/// <summary>
/// The agent's state directory: its identity (instance id and the sequence numbers it has reserved), the
/// session state file and the report journal. The instance id is kept for as long as the directory is, so that
/// (bng_id, instance_id, seq) stays unique across restarts and a replayed report keeps its original id; sequence
/// numbers are reserved in blocks, each written to disk before any number in it is used, so none is ever reused.
/// </summary>
internal sealed class AgentStateDirectory
{
    public const string IdentityFile = "identity.json";
    public const string SessionsFile = "sessions.log";
    public const string JournalFile = "journal.log";
    private const ulong SeqBlock = 100_000;

    private readonly Lock _lock = new();
    private readonly string _identityPath;
    private ulong _next;
    private ulong _reservedThrough;

    public AgentStateDirectory(IOptions<AgentOptions> options)
    {
        Path = options.Value.StateDirectory;
        Directory.CreateDirectory(Path);
        _identityPath = System.IO.Path.Combine(Path, IdentityFile);
        var stored = Read(_identityPath);
        Recovered = stored is not null;
        InstanceId = stored?.InstanceId ?? Guid.NewGuid().ToString("N")[..12];
        _reservedThrough = stored?.ReservedThrough ?? 0;
        _next = _reservedThrough + 1;
        Reserve();
    }

    public string Path { get; }

    public string InstanceId { get; }

    /// <summary>The directory held an identity from an earlier run.</summary>
    public bool Recovered { get; }

    public string SessionsPath => System.IO.Path.Combine(Path, SessionsFile);

    public string JournalPath => System.IO.Path.Combine(Path, JournalFile);

    /// <summary>The next sequence number; monotonic for this instance, across restarts.</summary>
    public ulong NextSeq()
    {
        lock (_lock)
        {
            if (_next > _reservedThrough)
            {
                Reserve();
            }
            return _next++;
        }
    }

    /// <summary>Makes sure numbers above <paramref name="seq"/> come next (a journal may hold higher ones).</summary>
    public void SkipPast(ulong seq)
    {
        lock (_lock)
        {
            if (seq >= _next)
            {
                _next = seq + 1;
                if (_next > _reservedThrough)
                {
                    Reserve();
                }
            }
        }
    }

    private void Reserve()
    {
        _reservedThrough = _next - 1 + SeqBlock;
        var temporary = _identityPath + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, new StoredIdentity(InstanceId, _reservedThrough), IdentityJson.Default.StoredIdentity);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, _identityPath, overwrite: true);
        NativeFile.SyncDirectory(Path);
    }

    private static StoredIdentity? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var identity = JsonSerializer.Deserialize(File.ReadAllBytes(path), IdentityJson.Default.StoredIdentity);
            return identity is { InstanceId.Length: > 0 } ? identity : null;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is damaged ({ex.Message}); move it away to start with a new instance id", ex);
        }
    }
}

internal sealed record StoredIdentity(string InstanceId, ulong ReservedThrough);

[JsonSerializable(typeof(StoredIdentity))]
internal sealed partial class IdentityJson : JsonSerializerContext;
