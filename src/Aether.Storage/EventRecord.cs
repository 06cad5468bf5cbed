using Aether.Events;

namespace Aether.Storage;

/// <summary>
/// One event as the log stores it. (<see cref="BngId"/>, <see cref="InstanceId"/>, <see cref="Seq"/>) identifies it;
/// <see cref="PayloadJson"/> is the whole event as published (snake_case JSON), from which the read models are
/// projected. <see cref="Event"/> is the same event already parsed, when the caller has it.
/// </summary>
public sealed record EventRecord(
    string BngId,
    string InstanceId,
    long Seq,
    string Type,
    DateTimeOffset Time,
    string? SessionId,
    string PayloadJson)
{
    /// <summary>The parsed event; null means the writer parses <see cref="PayloadJson"/> itself.</summary>
    public AetherEvent? Event { get; init; }

    /// <summary>The record of <paramref name="e"/> as published in <paramref name="payloadJson"/>.</summary>
    public static EventRecord From(AetherEvent e, string payloadJson)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new EventRecord(e.BngId, e.InstanceId, checked((long)e.Seq), e.Type, e.Time.ToUniversalTime(), e.SessionId, payloadJson) { Event = e };
    }

    internal AetherEvent Parsed() => Event ?? AetherEventJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(PayloadJson));
}

/// <summary>An event that could not be interpreted; kept in <c>ingest_rejects</c> so it is not lost unseen.</summary>
public sealed record RejectedEvent(string Subject, long StreamSequence, string Error, ReadOnlyMemory<byte> Payload);

/// <summary>What one append did: events new to the log (projected) and repeats (ignored).</summary>
public readonly record struct AppendResult(int Inserted, int Duplicates, int Rejected);
