namespace Aether.Dhcp;

/// <summary>
/// Why <see cref="DhcpPacket.TryParse"/> rejected a message. A missing End option is not an error: an option
/// area that ends cleanly on an option boundary is accepted (RFC 2131 section 4.1 asks receivers to be liberal).
/// </summary>
public enum DhcpParseError
{
    None,

    /// <summary>Shorter than the fixed header and magic cookie (240 octets, RFC 2131 section 2).</summary>
    Truncated,

    /// <summary>'op' is neither BOOTREQUEST (1) nor BOOTREPLY (2).</summary>
    BadOp,

    /// <summary>'hlen' is larger than the 16-octet 'chaddr' field.</summary>
    BadHardwareLength,

    /// <summary>The options do not start with 99.130.83.99 (RFC 2131 section 3).</summary>
    BadMagicCookie,

    /// <summary>An option's length runs past the end of its area (options, file or sname).</summary>
    OptionOverrun,

    /// <summary>Option 52 has a bad length or value, or appears inside an overloaded file/sname field (RFC 2132 section 9.3).</summary>
    BadOverload,

    /// <summary>No option 53: a BOOTP message, not DHCP (RFC 2131 section 3).</summary>
    MissingMessageType,

    /// <summary>Longer than any UDP payload of an IPv4 datagram can be.</summary>
    TooLong,

    /// <summary>Option 53 is present but its length is not 1 (RFC 2132 section 9.6).</summary>
    BadMessageType,
}
