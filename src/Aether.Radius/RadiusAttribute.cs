using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Radius.Internal;

namespace Aether.Radius;

/// <summary>
/// One attribute. A vendor sub-attribute (RFC 2865 5.26) has <see cref="Type"/> 26 and a non-zero
/// <see cref="VendorId"/>; a Vendor-Specific attribute with a zero vendor id is carried opaque.
/// Tagged and tunnel attributes (RFC 2868) are carried opaque: the tag is the first value octet.
/// Equality compares the value's content.
/// </summary>
public readonly record struct RadiusAttribute(byte Type, ReadOnlyMemory<byte> Value, uint VendorId = 0, byte VendorType = 0)
{
    public bool IsVendor => VendorId != 0;

    public static RadiusAttribute FromString(byte type, string value) => FromBytes(type, Encoding.UTF8.GetBytes(value));

    public static RadiusAttribute FromUInt32(byte type, uint value) => new(type, EncodeUInt32(value));

    public static RadiusAttribute FromIpv4(byte type, IPAddress value) => new(type, EncodeIpv4(value));

    public static RadiusAttribute FromBytes(byte type, ReadOnlyMemory<byte> value)
    {
        CheckLength(value.Length, type == RadiusAttributeType.UserPassword ? RadiusConstants.MaxPasswordLength : RadiusConstants.MaxAttributeValueLength);
        return new(type, value);
    }

    public static RadiusAttribute Vendor(uint vendorId, byte vendorType, ReadOnlyMemory<byte> value)
    {
        ArgumentOutOfRangeException.ThrowIfZero(vendorId);
        CheckLength(value.Length, RadiusConstants.MaxVendorValueLength);
        return new(RadiusAttributeType.VendorSpecific, value, vendorId, vendorType);
    }

    public static RadiusAttribute VendorString(uint vendorId, byte vendorType, string value) =>
        Vendor(vendorId, vendorType, Encoding.UTF8.GetBytes(value));

    public static RadiusAttribute VendorUInt32(uint vendorId, byte vendorType, uint value) =>
        Vendor(vendorId, vendorType, EncodeUInt32(value));

    public static RadiusAttribute VendorIpv4(uint vendorId, byte vendorType, IPAddress value) =>
        Vendor(vendorId, vendorType, EncodeIpv4(value));

    public string AsString() => Encoding.UTF8.GetString(Value.Span);

    /// <exception cref="FormatException">The value is not 4 octets.</exception>
    public uint AsUInt32() => Value.Length == RadiusConstants.UInt32Length
        ? BinaryPrimitives.ReadUInt32BigEndian(Value.Span)
        : throw new FormatException($"Attribute {Describe()} has {Value.Length} octets, an integer has 4.");

    /// <exception cref="FormatException">The value is not 4 octets.</exception>
    public IPAddress AsIpv4() => Value.Length == RadiusConstants.Ipv4Length
        ? new IPAddress(Value.Span)
        : throw new FormatException($"Attribute {Describe()} has {Value.Length} octets, an IPv4 address has 4.");

    public bool Equals(RadiusAttribute other) =>
        Type == other.Type && VendorId == other.VendorId && VendorType == other.VendorType && Value.Span.SequenceEqual(other.Value.Span);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.Add(VendorId);
        hash.Add(VendorType);
        hash.AddBytes(Value.Span);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Describe()}=0x{Convert.ToHexString(Value.Span)}";

    private string Describe() => IsVendor ? $"{VendorId}:{VendorType}" : Type.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] EncodeUInt32(uint value)
    {
        var bytes = new byte[RadiusConstants.UInt32Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] EncodeIpv4(IPAddress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{value} is not an IPv4 address.", nameof(value));
        }

        return value.GetAddressBytes();
    }

    private static void CheckLength(int length, int max)
    {
        if (length > max)
        {
            throw new ArgumentException($"An attribute value of {length} octets exceeds the maximum of {max}.", nameof(Value));
        }
    }
}
