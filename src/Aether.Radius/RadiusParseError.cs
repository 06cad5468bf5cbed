namespace Aether.Radius;

/// <summary>Why a datagram is not a well-formed RADIUS packet (RFC 2865 3 and 5).</summary>
public enum RadiusParseError
{
    None = 0,

    /// <summary>Fewer than 20 octets received.</summary>
    TooShort,

    /// <summary>The Length field is below 20 or above 4096.</summary>
    InvalidLength,

    /// <summary>The Length field says more than was received.</summary>
    Truncated,

    /// <summary>An attribute's Length is below 2 or runs past the packet.</summary>
    InvalidAttributeLength,

    /// <summary>A Message-Authenticator whose length is not 18, or more than one.</summary>
    InvalidMessageAuthenticator,
}
