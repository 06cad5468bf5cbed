namespace Aether.Storage;

/// <summary>
/// One event as the log stores it. (<see cref="BngId"/>, <see cref="InstanceId"/>, <see cref="Seq"/>) identifies it;
/// <see cref="PayloadJson"/> is the whole event as published (snake_case JSON), from which the read models are
/// projected.
/// </summary>
public sealed record EventRecord(
    string BngId,
    string InstanceId,
    long Seq,
    string Type,
    DateTimeOffset Time,
    string? SessionId,
    string PayloadJson);

/// <summary>An event that could not be interpreted; kept in <c>ingest_rejects</c> so it is not lost unseen.</summary>
public sealed record RejectedEvent(string Subject, long StreamSequence, string Error, ReadOnlyMemory<byte> Payload);

/// <summary>What one append did: events new to the log (projected) and repeats (ignored).</summary>
public readonly record struct AppendResult(int Inserted, int Duplicates, int Rejected);
