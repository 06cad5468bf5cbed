using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

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

    public SessionState ToState() => new()
    {
        SessionId = SessionId,
        Subscriber = Subscriber,
        Ip = Ip.ToString(),
        Policy = Policy,
        Started = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Started),
        LeaseExpires = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(LeaseExpires),
    };
}

/// <summary>What the controller decided for a subscriber, reused until it expires.</summary>
internal sealed record AuthorizationDecision(bool Accepted, ShapingPolicy? Policy, string Reason, DateTimeOffset Expires);

/// <summary>Identity of a subscriber as Option 82 and the client give it.</summary>
internal readonly record struct SubscriberKey(string Mac, string CircuitId, string RemoteId);
