using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace Aether.Radius.Dictionary;

public sealed partial class RadiusDictionary
{
    /// <summary>
    /// Creates an attribute from its name and a value in FreeRADIUS's text form: a VALUE name or number for integers,
    /// dotted quad, hex 0x... for octets, seconds since the epoch or ISO 8601 for dates.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The name is not in the dictionary.</exception>
    /// <exception cref="FormatException">The text does not fit the attribute's type.</exception>
    /// <exception cref="NotSupportedException">The attribute cannot be sent by Aether (internal, TLV, or a vendor format other than 1,1).</exception>
    public RadiusAttribute Create(string name, string value)
    {
        var definition = _byName.TryGetValue(name, out var found) ? found : throw new KeyNotFoundException($"Attribute {name} is not in the dictionary.");
        if (definition.IsInternal || definition.DataType is RadiusDataType.Tlv or RadiusDataType.Other)
        {
            throw new NotSupportedException($"Attribute {name} ({definition.TypeName}) cannot be sent.");
        }

        var bytes = EncodeValue(definition, value);
        if (!definition.IsVendor)
        {
            return RadiusAttribute.FromBytes((byte)definition.Type, bytes);
        }

        if ((_vendorsById.TryGetValue(definition.VendorId, out var vendor) && (vendor.TypeLength, vendor.LengthLength) != (1, 1)) || definition.Type > byte.MaxValue)
        {
            throw new NotSupportedException($"Vendor attribute {name} does not use the 1,1 format.");
        }

        return RadiusAttribute.Vendor(definition.VendorId, (byte)definition.Type, bytes);
    }

    /// <summary>
    /// Decodes a value by its dictionary type: string, byte[] (octets, ifid, has_tag and unknown types), IPAddress,
    /// uint, ulong, byte, ushort, int, DateTimeOffset, IPNetwork (prefixes), PhysicalAddress. Null when the
    /// attribute is unknown or its value does not fit its type.
    /// </summary>
    public object? Decode(RadiusAttribute attribute)
    {
        if (Find(attribute) is not { } definition)
        {
            return null;
        }

        var value = attribute.Value.Span;
        if (definition.HasTag)
        {
            return value.ToArray();
        }

        return definition.DataType switch
        {
            RadiusDataType.String => Encoding.UTF8.GetString(value),
            RadiusDataType.IpAddr when value.Length == 4 => new IPAddress(value),
            RadiusDataType.Ipv6Addr when value.Length == 16 => new IPAddress(value),
            RadiusDataType.ComboIp when value.Length is 4 or 16 => new IPAddress(value),
            RadiusDataType.Integer when value.Length == 4 => BinaryPrimitives.ReadUInt32BigEndian(value),
            RadiusDataType.Signed when value.Length == 4 => BinaryPrimitives.ReadInt32BigEndian(value),
            RadiusDataType.Integer64 when value.Length == 8 => BinaryPrimitives.ReadUInt64BigEndian(value),
            RadiusDataType.Byte when value.Length == 1 => value[0],
            RadiusDataType.Short when value.Length == 2 => BinaryPrimitives.ReadUInt16BigEndian(value),
            RadiusDataType.Date when value.Length == 4 => DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(value)),
            RadiusDataType.Ether when value.Length == 6 => new PhysicalAddress(value.ToArray()),
            RadiusDataType.Ipv6Prefix => DecodePrefix(value, 16),
            RadiusDataType.Ipv4Prefix => DecodePrefix(value, 4),
            RadiusDataType.Octets or RadiusDataType.IfId or RadiusDataType.Tlv or RadiusDataType.Other => value.ToArray(),
            _ => null,
        };
    }

    /// <summary>FreeRADIUS-style text: <c>Name = value</c>, VALUE names for enumerated integers, Attr-N for unknown ones.</summary>
    public string Format(RadiusAttribute attribute)
    {
        if (Find(attribute) is not { } definition)
        {
            var name = attribute.IsVendor ? $"Attr-26.{attribute.VendorId}.{attribute.VendorType}" : $"Attr-{attribute.Type}";
            return $"{name} = 0x{Convert.ToHexString(attribute.Value.Span).ToLowerInvariant()}";
        }

        var decoded = Decode(attribute);
        var text = decoded switch
        {
            null => "0x" + Convert.ToHexString(attribute.Value.Span).ToLowerInvariant(),
            uint number when TryGetValueName(definition.Name, number, out var valueName) => valueName,
            string s => "\"" + s + "\"",
            byte[] bytes => "0x" + Convert.ToHexString(bytes).ToLowerInvariant(),
            DateTimeOffset date => date.ToString("O", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => decoded.ToString(),
        };
        return $"{definition.Name} = {text}";
    }

    private byte[] EncodeValue(DictionaryAttribute definition, string text)
    {
        switch (definition.DataType)
        {
            case RadiusDataType.String:
                return Encoding.UTF8.GetBytes(text);
            case RadiusDataType.Octets:
            case RadiusDataType.IfId:
                return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.FromHexString(text.AsSpan(2)) : Encoding.UTF8.GetBytes(text);
            case RadiusDataType.IpAddr:
                return Address(text, AddressFamily.InterNetwork);
            case RadiusDataType.Ipv6Addr:
                return Address(text, AddressFamily.InterNetworkV6);
            case RadiusDataType.ComboIp:
                return IPAddress.Parse(text).GetAddressBytes();
            case RadiusDataType.Integer:
                return BigEndian(4, Integer(definition, text));
            case RadiusDataType.Byte:
                return [checked((byte)Integer(definition, text))];
            case RadiusDataType.Short:
                return BigEndian(2, checked((ushort)Integer(definition, text)));
            case RadiusDataType.Signed:
                return BigEndian(4, unchecked((uint)int.Parse(text, CultureInfo.InvariantCulture)));
            case RadiusDataType.Integer64:
                return BigEndian(8, ulong.Parse(text, CultureInfo.InvariantCulture));
            case RadiusDataType.Date:
                var seconds = uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                    ? epoch
                    : checked((uint)DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeSeconds());
                return BigEndian(4, seconds);
            case RadiusDataType.Ether:
                return PhysicalAddress.Parse(text.Replace(':', '-')).GetAddressBytes();
            case RadiusDataType.Ipv6Prefix:
            case RadiusDataType.Ipv4Prefix:
                var network = IPNetwork.Parse(text);
                var prefix = network.BaseAddress.GetAddressBytes();
                return [0, (byte)network.PrefixLength, .. definition.DataType == RadiusDataType.Ipv6Prefix ? prefix.AsSpan(0, (network.PrefixLength + 7) / 8) : prefix];
            default:
                throw new NotSupportedException($"Attribute {definition.Name} has type {definition.TypeName}.");
        }
    }

    private uint Integer(DictionaryAttribute definition, string text) =>
        TryGetValue(definition.Name, text, out var named) ? named : RadiusDictionaryParser.ParseNumber(text);

    private static byte[] Address(string text, AddressFamily family)
    {
        var address = IPAddress.Parse(text);
        return address.AddressFamily == family ? address.GetAddressBytes() : throw new FormatException($"{text} is not an {family} address.");
    }

    private static byte[] BigEndian(int length, ulong value)
    {
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }

        return bytes;
    }

    /// <summary>RFC 8044 3.11 and 3.12: reserved octet, prefix length, prefix octets.</summary>
    private static IPNetwork? DecodePrefix(ReadOnlySpan<byte> value, int addressLength)
    {
        if (value.Length < 2 || value.Length > addressLength + 2)
        {
            return null;
        }

        var prefixLength = value[1] & (addressLength == 4 ? 0x3F : 0xFF);
        if (prefixLength > addressLength * 8 || value.Length - 2 < (prefixLength + 7) / 8)
        {
            return null;
        }

        Span<byte> address = stackalloc byte[addressLength];
        value[2..].CopyTo(address);
        try
        {
            return new IPNetwork(new IPAddress(address), prefixLength);
        }
        catch (ArgumentException)
        {
            // Bits set past the prefix length.
            return null;
        }
    }
}
