using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Aether.Radius.Internal;

namespace Aether.Radius;

/// <summary>
/// A parsed RADIUS packet (RFC 2865 3). Parsing checks framing only; authenticators are checked with
/// <see cref="RadiusAuthenticators"/> since they need the shared secret and, for responses, the request.
/// </summary>
public sealed class RadiusPacket
{
    private RadiusPacket(byte[] raw, IReadOnlyList<RadiusAttribute> attributes)
    {
        Raw = raw;
        Attributes = attributes;
    }

    public RadiusCode Code => (RadiusCode)Raw.Span[RadiusConstants.CodeOffset];

    public byte Identifier => Raw.Span[RadiusConstants.IdentifierOffset];

    public ReadOnlyMemory<byte> Authenticator => Raw.Slice(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength);

    /// <summary>The packet's octets up to its Length field; attribute values are slices of it.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>Attributes in wire order; each vendor sub-attribute is its own entry.</summary>
    public IReadOnlyList<RadiusAttribute> Attributes { get; }

    public bool HasMessageAuthenticator
    {
        get
        {
            foreach (var attribute in Attributes)
            {
                if (attribute.Type == RadiusAttributeType.MessageAuthenticator)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Parses a datagram; octets past the Length field are padding and ignored (RFC 2865 3).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out RadiusPacket? packet, out RadiusParseError error)
    {
        packet = null;
        error = TryReadLength(data, out var length);
        if (error != RadiusParseError.None)
        {
            return false;
        }

        error = Validate(data[..length], out var attributeCount);
        if (error != RadiusParseError.None)
        {
            return false;
        }

        var raw = data[..length].ToArray();
        packet = new RadiusPacket(raw, ReadAttributes(raw, attributeCount));
        return true;
    }

    /// <summary>Reads and checks the header's Length field against what was received.</summary>
    internal static RadiusParseError TryReadLength(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < RadiusConstants.HeaderLength)
        {
            return RadiusParseError.TooShort;
        }

        length = BinaryPrimitives.ReadUInt16BigEndian(data[RadiusConstants.LengthOffset..]);
        if (length is < RadiusConstants.HeaderLength or > RadiusConstants.MaxPacketLength)
        {
            return RadiusParseError.InvalidLength;
        }

        return length > data.Length ? RadiusParseError.Truncated : RadiusParseError.None;
    }

    /// <summary>Finds the Message-Authenticator value's offset in a packet already validated; -1 when absent.</summary>
    internal static int FindMessageAuthenticator(ReadOnlySpan<byte> packet)
    {
        var offset = RadiusConstants.HeaderLength;
        while (offset + RadiusConstants.AttributeHeaderLength <= packet.Length)
        {
            var length = packet[offset + 1];
            if (packet[offset] == RadiusAttributeType.MessageAuthenticator)
            {
                return offset + RadiusConstants.AttributeHeaderLength;
            }

            offset += Math.Max(length, (byte)RadiusConstants.AttributeHeaderLength);
        }

        return -1;
    }

    private static RadiusParseError Validate(ReadOnlySpan<byte> packet, out int attributeCount)
    {
        attributeCount = 0;
        var messageAuthenticators = 0;
        var offset = RadiusConstants.HeaderLength;
        while (offset < packet.Length)
        {
            if (packet.Length - offset < RadiusConstants.AttributeHeaderLength)
            {
                return RadiusParseError.InvalidAttributeLength;
            }

            var type = packet[offset];
            var length = packet[offset + 1];
            if (length < RadiusConstants.AttributeHeaderLength || length > packet.Length - offset)
            {
                return RadiusParseError.InvalidAttributeLength;
            }

            if (type == RadiusAttributeType.MessageAuthenticator
                && (length != RadiusConstants.MessageAuthenticatorAttributeLength || ++messageAuthenticators > 1))
            {
                return RadiusParseError.InvalidMessageAuthenticator;
            }

            attributeCount += type == RadiusAttributeType.VendorSpecific
                ? Math.Max(1, CountVendorSubAttributes(packet.Slice(offset + RadiusConstants.AttributeHeaderLength, length - RadiusConstants.AttributeHeaderLength)))
                : 1;
            offset += length;
        }

        return RadiusParseError.None;
    }

    /// <summary>
    /// Counts sub-attributes of a Vendor-Specific value in the common format (RFC 2865 5.26: type 1, length 1);
    /// 0 when the value does not follow it, and the attribute is then kept opaque.
    /// </summary>
    private static int CountVendorSubAttributes(ReadOnlySpan<byte> value)
    {
        if (value.Length < RadiusConstants.VendorIdLength + RadiusConstants.VendorSubAttributeHeaderLength
            || BinaryPrimitives.ReadUInt32BigEndian(value) == 0)
        {
            return 0;
        }

        var count = 0;
        var offset = RadiusConstants.VendorIdLength;
        while (offset < value.Length)
        {
            if (value.Length - offset < RadiusConstants.VendorSubAttributeHeaderLength)
            {
                return 0;
            }

            var length = value[offset + 1];
            if (length < RadiusConstants.VendorSubAttributeHeaderLength || length > value.Length - offset)
            {
                return 0;
            }

            offset += length;
            count++;
        }

        return count;
    }

    private static RadiusAttribute[] ReadAttributes(byte[] raw, int count)
    {
        var attributes = new RadiusAttribute[count];
        var index = 0;
        var offset = RadiusConstants.HeaderLength;
        while (offset < raw.Length)
        {
            var type = raw[offset];
            var length = raw[offset + 1];
            var valueOffset = offset + RadiusConstants.AttributeHeaderLength;
            var valueLength = length - RadiusConstants.AttributeHeaderLength;
            if (type == RadiusAttributeType.VendorSpecific && CountVendorSubAttributes(raw.AsSpan(valueOffset, valueLength)) > 0)
            {
                var vendorId = BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(valueOffset));
                var subOffset = valueOffset + RadiusConstants.VendorIdLength;
                while (subOffset < offset + length)
                {
                    var subLength = raw[subOffset + 1];
                    var value = new ReadOnlyMemory<byte>(raw, subOffset + RadiusConstants.VendorSubAttributeHeaderLength, subLength - RadiusConstants.VendorSubAttributeHeaderLength);
                    attributes[index++] = new RadiusAttribute(type, value, vendorId, raw[subOffset]);
                    subOffset += subLength;
                }
            }
            else
            {
                attributes[index++] = new RadiusAttribute(type, new ReadOnlyMemory<byte>(raw, valueOffset, valueLength));
            }

            offset += length;
        }

        return attributes;
    }
}
