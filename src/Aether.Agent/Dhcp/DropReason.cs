namespace Aether.Agent.Dhcp;

/// <summary>Why the relay dropped a DHCP message; each is counted per interface.</summary>
internal enum DropReason
{
    /// <summary>Not an IPv4/UDP frame to port 67.</summary>
    NotDhcp,

    /// <summary>The DHCP message does not parse.</summary>
    Malformed,

    /// <summary>A BOOTREPLY arrived from the subscriber side.</summary>
    NotARequest,

    /// <summary>giaddr already set on a request from subscribers: nobody between them and the BNG may relay.</summary>
    SpoofedGiaddr,

    /// <summary>More relay hops than allowed (RFC 1542 4.1.1).</summary>
    HopLimit,

    /// <summary>Option 82 on an untrusted interface (RFC 3046 2.1).</summary>
    UntrustedOption82,

    /// <summary>No circuit-id on an interface whose access node must insert one.</summary>
    NoOption82,

    /// <summary>Option 82 whose sub-options do not parse.</summary>
    MalformedOption82,

    /// <summary>A DHCP message type a client does not send.</summary>
    UnexpectedType,

    /// <summary>The controller refused the subscriber.</summary>
    Rejected,

    /// <summary>No decision: the controller is unreachable and the headless policy is fail-closed.</summary>
    ControllerUnavailable,

    /// <summary>The relay rewrite failed.</summary>
    RewriteFailed,

    /// <summary>A server reply that does not parse or is not a BOOTREPLY.</summary>
    MalformedReply,

    /// <summary>A server reply for a giaddr that is not one of ours.</summary>
    UnknownGiaddr,

    /// <summary>A DHCPACK whose session could not be programmed; the client does not see the ACK.</summary>
    SessionNotCreated,

    /// <summary>An unexpected failure while handling the message.</summary>
    InternalError,
}

internal static class DropReasons
{
    public static readonly int Count = Enum.GetValues<DropReason>().Length;

    private static readonly string[] Names =
    [
        "not-dhcp", "malformed", "not-a-request", "spoofed-giaddr", "hop-limit", "untrusted-option-82", "no-option-82",
        "malformed-option-82", "unexpected-type", "rejected", "controller-unavailable", "rewrite-failed", "malformed-reply",
        "unknown-giaddr", "session-not-created", "internal-error",
    ];

    /// <summary>The stable name operators see in logs and health reports.</summary>
    public static string Name(this DropReason reason) => Names[(int)reason];
}
