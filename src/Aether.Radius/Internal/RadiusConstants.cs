namespace Aether.Radius.Internal;

/// <summary>Offsets and sizes of the RADIUS wire format (RFC 2865 3 and 5, RFC 2865 5.26, RFC 3579 3.2).</summary>
internal static class RadiusConstants
{
    public const int CodeOffset = 0;
    public const int IdentifierOffset = 1;
    public const int LengthOffset = 2;
    public const int AuthenticatorOffset = 4;
    public const int AuthenticatorLength = 16;
    public const int HeaderLength = 20;
    public const int MaxPacketLength = 4096;

    public const int AttributeHeaderLength = 2;
    public const int MaxAttributeLength = 255;
    public const int MaxAttributeValueLength = MaxAttributeLength - AttributeHeaderLength;

    public const int VendorIdLength = 4;
    public const int VendorSubAttributeHeaderLength = 2;
    public const int VendorSpecificHeaderLength = AttributeHeaderLength + VendorIdLength;
    public const int MaxVendorValueLength = MaxAttributeLength - VendorSpecificHeaderLength - VendorSubAttributeHeaderLength;

    public const int MessageAuthenticatorLength = 16;
    public const int MessageAuthenticatorAttributeLength = AttributeHeaderLength + MessageAuthenticatorLength;

    public const int PasswordBlockLength = 16;
    public const int MaxPasswordLength = 128;

    public const int Ipv4Length = 4;
    public const int UInt32Length = 4;
}
