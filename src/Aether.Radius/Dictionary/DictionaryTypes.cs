namespace Aether.Radius.Dictionary;

/// <summary>Attribute data types of FreeRADIUS dictionaries; types Aether does not decode are <see cref="Other"/>.</summary>
public enum RadiusDataType
{
    Other = 0,
    String,
    Octets,
    IpAddr,
    Integer,
    Date,
    Ipv6Addr,
    Ipv6Prefix,
    Ipv4Prefix,
    IfId,
    Integer64,
    Byte,
    Short,
    Signed,
    Ether,
    ComboIp,
    Tlv,
}

/// <summary>A vendor (VENDOR name number [format=t,l]); Aether encodes and splits the common format 1,1 (RFC 2865 5.26).</summary>
public sealed record DictionaryVendor(string Name, uint Id, int TypeLength = 1, int LengthLength = 1);

/// <summary>An attribute definition (ATTRIBUTE name number type [flags]).</summary>
public sealed record DictionaryAttribute(string Name, uint VendorId, uint Type, RadiusDataType DataType, string TypeName)
{
    /// <summary>has_tag (RFC 2868): the value is carried opaque, tag included.</summary>
    public bool HasTag { get; init; }

    /// <summary>encrypt=N: 1 User-Password style (RFC 2865 5.2), 2 Tunnel-Password (RFC 2868 3.5), 3 Ascend; 0 none.</summary>
    public int Encrypt { get; init; }

    public bool IsArray { get; init; }

    public bool IsVendor => VendorId != 0;

    /// <summary>FreeRADIUS server-side attributes (numbers above 255 outside a vendor) never go on the wire.</summary>
    public bool IsInternal => VendorId == 0 && Type > byte.MaxValue;

    public override string ToString() => Name;
}

/// <summary>A dictionary file could not be read; the message names the file and line.</summary>
public sealed class RadiusDictionaryException : RadiusException
{
    public RadiusDictionaryException(string message)
        : base(message)
    {
    }
}
