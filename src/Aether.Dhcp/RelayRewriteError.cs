namespace Aether.Dhcp;

/// <summary>Outcome of a <see cref="DhcpRelay"/> rewrite; hot-path failures are values, not exceptions.</summary>
public enum RelayRewriteError
{
    None,

    /// <summary>The input is not a valid DHCP message (see <see cref="DhcpPacket.TryParse"/>), or its option 82 could not be merged.</summary>
    Malformed,

    /// <summary>'hops' exceeds <see cref="RelayRewrite.MaxHops"/> (RFC 1542 section 4.1.1: discard silently).</summary>
    HopLimitExceeded,

    /// <summary>The destination span cannot hold the rewritten message; nothing was written.</summary>
    DestinationTooSmall,

    /// <summary>
    /// Adding our option 82 would push the message past <see cref="DhcpRelay.MaxRelayedMessageLength"/>. RFC 3046
    /// section 2.1 says to forward the request without it and count the event, so the destination holds exactly
    /// that (the request with its incoming option 82 as <see cref="RelayRewrite.Policy"/> treats it, none of ours)
    /// and <c>written</c> is its length.
    /// </summary>
    OptionSpaceExhausted,

    /// <summary>A BOOTREPLY handed to <see cref="DhcpRelay.RewriteForServer"/>, or a BOOTREQUEST to <see cref="DhcpRelay.RewriteForClient"/>.</summary>
    WrongDirection,
}
