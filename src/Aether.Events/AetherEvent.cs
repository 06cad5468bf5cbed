using System.Text.Json.Serialization;

namespace Aether.Events;

/// <summary>What a BNG knows about a subscriber session: its identity on the access network and its shaping.</summary>
public sealed record SessionInfo
{
    public required string Mac { get; init; }
    public required string Ip { get; init; }
    public required string CircuitId { get; init; }
    public required string RemoteId { get; init; }
    public string? RelayId { get; init; }
    public string? Username { get; init; }
    public string? Interface { get; init; }
    public required long DownloadKbps { get; init; }
    public required long UploadKbps { get; init; }
    public required DateTimeOffset Started { get; init; }
    public DateTimeOffset? LeaseExpires { get; init; }
}

/// <summary>Cumulative per-session counters since the session started (not deltas).</summary>
public sealed record TrafficCounters(long BytesUp, long BytesDown, long PacketsUp, long PacketsDown);

/// <summary>A BNG agent's resource use as it last reported it.</summary>
public sealed record BngHealth(double CpuPercent, long MemoryBytes, long MemoryLimitBytes, int SessionCount);

/// <summary>An access router (relay) seen by a BNG. <see cref="RouterId"/> is the relay-id, or the giaddr when the relay sends none.</summary>
public sealed record AccessRouter(string RouterId, string? Giaddr, string BngId, string State);

/// <summary>
/// One subscriber lifecycle event. (<see cref="BngId"/>, <see cref="InstanceId"/>, <see cref="Seq"/>) identifies it
/// uniquely: the instance id changes whenever the reporting process restarts, and the sequence is monotonic within it.
/// </summary>
public sealed record AetherEvent
{
    public required string Type { get; init; }
    public required string BngId { get; init; }
    public required string InstanceId { get; init; }
    public required ulong Seq { get; init; }
    public required DateTimeOffset Time { get; init; }

    public string? SessionId { get; init; }
    public SessionInfo? Session { get; init; }
    public TrafficCounters? Counters { get; init; }
    public string? Cause { get; init; }
    public BngHealth? Health { get; init; }
    public AccessRouter? Router { get; init; }

    /// <summary>SESSION_START only: the agent's DISCOVER-to-ACK time for this setup, when it timed one.</summary>
    public double? SetupSeconds { get; init; }

    /// <summary>The Nats-Msg-Id the event is published with, so JetStream drops a repeat inside its duplicate window.</summary>
    [JsonIgnore]
    public string MessageId => $"{BngId}.{InstanceId}.{Seq}";
}
