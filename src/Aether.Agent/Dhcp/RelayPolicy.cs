using Aether.Dhcp;

namespace Aether.Agent.Dhcp;

/// <summary>
/// What a subscriber-facing interface accepts from its clients, checked before anything else is done with a
/// request (RFC 3046 2.1, RFC 1542 4.1.1). A request that breaks policy is dropped and counted by reason.
/// </summary>
internal static class RelayPolicy
{
    /// <summary>Null when the request may go on; otherwise why it is dropped.</summary>
    public static DropReason? Check(scoped in DhcpPacket packet, Option82Trust trust, int maxHops)
    {
        if (!packet.IsRequest)
        {
            return DropReason.NotARequest;
        }
        // The agent is the first relay: a client-side request with giaddr set was forged or leaked past
        // the access network, and relaying it would let the sender pick the subnet it is served from.
        if (!packet.GatewayIp.IsAny)
        {
            return DropReason.SpoofedGiaddr;
        }
        if (packet.Hops > maxHops)
        {
            return DropReason.HopLimit;
        }
        var info = packet.RelayAgentInformation;
        switch (trust)
        {
            case Option82Trust.Trust:
                if (!info.IsPresent)
                {
                    return DropReason.NoOption82;
                }
                if (!info.IsWellFormed)
                {
                    return DropReason.MalformedOption82;
                }
                if (info.CircuitId.IsEmpty)
                {
                    return DropReason.NoOption82;
                }
                break;
            case Option82Trust.Insert:
                if (info.IsPresent && !info.IsWellFormed)
                {
                    return DropReason.MalformedOption82;
                }
                if (info.IsPresent && info.CircuitId.IsEmpty)
                {
                    return DropReason.NoOption82;
                }
                break;
            default:
                // RFC 3046 2.1: giaddr 0 with Option 82 on an untrusted circuit is discarded and counted.
                if (info.IsPresent)
                {
                    return DropReason.UntrustedOption82;
                }
                break;
        }
        return packet.MessageType switch
        {
            DhcpMessageType.Discover or DhcpMessageType.Request or DhcpMessageType.Inform
                or DhcpMessageType.Release or DhcpMessageType.Decline => null,
            _ => DropReason.UnexpectedType,
        };
    }

    /// <summary>The codec's rewrite policy for an interface's trust.</summary>
    public static Option82Policy RewritePolicy(Option82Trust trust) => trust switch
    {
        Option82Trust.Trust => Option82Policy.Keep,
        Option82Trust.Insert => Option82Policy.Insert,
        _ => Option82Policy.Replace,
    };
}
