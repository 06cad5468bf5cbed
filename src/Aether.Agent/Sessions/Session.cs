using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Google.Protobuf.WellKnownTypes;

namespace Aether.Agent.Sessions;

/// <summary>A subscriber's session on this BNG: one lease, its kernel state and its policy.</summary>
internal sealed class Session
{
    public required string SessionId { get; init; }

    public required string Mac { get; init; }

    public required Ipv4Address Ip { get; init; }

    public required SubscriberIdentity Subscriber { get; init; }

    public required string Interface { get; init; }

    public required ushort ClassId { get; init; }

    public required ShapingPolicy Policy { get; set; }

    public required DateTimeOffset Started { get; init; }

    public DateTimeOffset LeaseExpires { get; set; }

    /// <summary>Started under the fail-open default plan while the controller was away, not yet confirmed by it.</summary>
    public bool Provisional { get; set; }

    /// <summary>Totals at the last counter sweep.</summary>
    public Counters LastTotals { get; set; } = new();

    /// <summary>When the counters last moved (for the idle timeout).</summary>
    public DateTimeOffset LastActivity { get; set; }

    public SubscriberKey Key => new(Mac, Subscriber.CircuitId, Subscriber.RemoteId);

    public SessionState ToState() => new()
    {
        SessionId = SessionId,
        Subscriber = Subscriber,
        Ip = Ip.ToString(),
        Policy = Policy,
        Started = Timestamp.FromDateTimeOffset(Started),
        LeaseExpires = Timestamp.FromDateTimeOffset(LeaseExpires),
        Counters = LastTotals.Clone(),
    };

    public StoredSession ToStored() => new(ToState(), ClassId, Provisional);

    public static Session FromStored(StoredSession stored, DateTimeOffset now) => new()
    {
        SessionId = stored.State.SessionId,
        Mac = stored.State.Subscriber.Mac,
        Ip = Ipv4Address.Parse(stored.State.Ip),
        Subscriber = stored.State.Subscriber,
        Interface = stored.State.Subscriber.Interface,
        ClassId = stored.ClassId,
        Policy = stored.State.Policy ?? new ShapingPolicy(),
        Started = stored.State.Started?.ToDateTimeOffset() ?? now,
        LeaseExpires = stored.State.LeaseExpires?.ToDateTimeOffset() ?? now,
        Provisional = stored.Provisional,
        LastTotals = stored.State.Counters ?? new Counters(),
        LastActivity = now,
    };
}

/// <summary>What the controller (or the headless policy) decided for a subscriber, reused until it expires.</summary>
/// <param name="AccessRelayId">The access router's relay-id from the request that was authorized: the server's reply carries the agent's own instead.</param>
internal sealed record AuthorizationDecision(bool Accepted, ShapingPolicy? Policy, string Reason, DateTimeOffset Expires, bool Provisional = false, string AccessRelayId = "");

/// <summary>Identity of a subscriber as Option 82 and the client give it.</summary>
internal readonly record struct SubscriberKey(string Mac, string CircuitId, string RemoteId);
