using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Aether.Radius.Internal;

namespace Aether.Radius;

/// <summary>
/// Encodes requests and responses with their authenticators. A Message-Authenticator is written first in every
/// packet (RFC 3579 3.2; first, so that a chosen-prefix collision cannot precede it, CVE-2024-3596).
/// </summary>
public static class RadiusPacketWriter
{
    /// <summary>
    /// Encodes a request. Access-Request and Status-Server get a random Request Authenticator and their User-Password
    /// hidden (RFC 2865 5.2); Accounting-, CoA- and Disconnect-Request get the MD5 authenticator (RFC 2866 3, RFC 5176 2.3).
    /// </summary>
    /// <returns>Octets written; the Request Authenticator is at offset 4 of <paramref name="destination"/>.</returns>
    public static int WriteRequest(Span<byte> destination, RadiusCode code, byte identifier, IReadOnlyList<RadiusAttribute> attributes, ReadOnlySpan<byte> secret)
    {
        Span<byte> authenticator = stackalloc byte[RadiusConstants.AuthenticatorLength];
        if (HasRandomAuthenticator(code))
        {
            RandomNumberGenerator.Fill(authenticator);
        }

        return WriteRequest(destination, code, identifier, authenticator, attributes, secret, includeMessageAuthenticator: true);
    }

    public static int WriteRequest(IBufferWriter<byte> writer, RadiusCode code, byte identifier, IReadOnlyList<RadiusAttribute> attributes, ReadOnlySpan<byte> secret)
    {
        var written = WriteRequest(writer.GetSpan(RadiusConstants.MaxPacketLength), code, identifier, attributes, secret);
        writer.Advance(written);
        return written;
    }

    /// <summary>
    /// Encodes a response to a request: Message-Authenticator over the packet carrying the Request Authenticator,
    /// then the Response Authenticator (RFC 2865 3, RFC 3579 3.2, RFC 5176 2.3).
    /// </summary>
    public static int WriteResponse(Span<byte> destination, RadiusCode code, byte identifier, ReadOnlySpan<byte> requestAuthenticator, IReadOnlyList<RadiusAttribute> attributes, ReadOnlySpan<byte> secret) =>
        WriteResponse(destination, code, identifier, requestAuthenticator, attributes, secret, includeMessageAuthenticator: true);

    public static int WriteResponse(IBufferWriter<byte> writer, RadiusCode code, byte identifier, ReadOnlySpan<byte> requestAuthenticator, IReadOnlyList<RadiusAttribute> attributes, ReadOnlySpan<byte> secret)
    {
        var written = WriteResponse(writer.GetSpan(RadiusConstants.MaxPacketLength), code, identifier, requestAuthenticator, attributes, secret);
        writer.Advance(written);
        return written;
    }

    /// <summary>Whether the code's Request Authenticator is random (RFC 2865 3) rather than an MD5 over the packet.</summary>
    internal static bool HasRandomAuthenticator(RadiusCode code) => code is RadiusCode.AccessRequest or RadiusCode.StatusServer;

    internal static int WriteRequest(Span<byte> destination, RadiusCode code, byte identifier, ReadOnlySpan<byte> randomAuthenticator, IReadOnlyList<RadiusAttribute> attributes, ReadOnlySpan<byte> secret, bool includeMessageAuthenticator)
    {
        var random = HasRandomAuthenticator(code);
        var header = destination[..RadiusConstants.HeaderLength];
        var authenticator = header.Slice(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength);
        if (random)
        {
            randomAuthenticator.CopyTo(authenticator);
        }
        else
        {
            authenticator.Clear();
        }

        var length = WriteBody(destination, code, identifier, attributes, secret, includeMessageAuthenticator, hidePasswordWith: code == RadiusCode.AccessRequest ? authenticator : default);
        var packet = destination[..length];
        if (includeMessageAuthenticator)
        {
            RadiusAuthenticators.ComputeMessageAuthenticator(packet, secret, packet.Slice(MessageAuthenticatorValueOffset, RadiusConstants.MessageAuthenticatorLength));
        }

        if (!random)
        {
            RadiusAuthenticators.ComputeAuthenticator(packet, authenticator, secret, authenticator);
        }

        return length;
    }

    internal static int WriteResponse(Span<byte> destination, RadiusCode code, byte identifier, ReadOnlySpan<byte> requestAuthenticator, IReadOnlyList<RadiusAttribute> attributes, ReadOnlySpan<byte> secret, bool includeMessageAuthenticator)
    {
        var authenticator = destination.Slice(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength);
        requestAuthenticator[..RadiusConstants.AuthenticatorLength].CopyTo(authenticator);
        var length = WriteBody(destination, code, identifier, attributes, secret, includeMessageAuthenticator, hidePasswordWith: default);
        var packet = destination[..length];
        if (includeMessageAuthenticator)
        {
            RadiusAuthenticators.ComputeMessageAuthenticator(packet, secret, packet.Slice(MessageAuthenticatorValueOffset, RadiusConstants.MessageAuthenticatorLength));
        }

        RadiusAuthenticators.ComputeAuthenticator(packet, authenticator, secret, authenticator);
        return length;
    }

    private const int MessageAuthenticatorValueOffset = RadiusConstants.HeaderLength + RadiusConstants.AttributeHeaderLength;

    /// <summary>Writes code, identifier, attributes and length; the authenticator field is left as the caller set it.</summary>
    private static int WriteBody(Span<byte> destination, RadiusCode code, byte identifier, IReadOnlyList<RadiusAttribute> attributes, ReadOnlySpan<byte> secret, bool includeMessageAuthenticator, ReadOnlySpan<byte> hidePasswordWith)
    {
        if (destination.Length < RadiusConstants.HeaderLength)
        {
            throw new ArgumentException("The destination cannot hold a RADIUS header.", nameof(destination));
        }

        destination[RadiusConstants.CodeOffset] = (byte)code;
        destination[RadiusConstants.IdentifierOffset] = identifier;
        var limit = Math.Min(destination.Length, RadiusConstants.MaxPacketLength);
        var offset = RadiusConstants.HeaderLength;
        if (includeMessageAuthenticator)
        {
            var attribute = Reserve(destination, limit, ref offset, RadiusConstants.MessageAuthenticatorAttributeLength);
            attribute[0] = RadiusAttributeType.MessageAuthenticator;
            attribute[1] = RadiusConstants.MessageAuthenticatorAttributeLength;
            attribute[RadiusConstants.AttributeHeaderLength..].Clear();
        }

        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            if (attribute.IsVendor)
            {
                WriteVendor(destination, limit, ref offset, attribute);
            }
            else if (attribute.Type == RadiusAttributeType.MessageAuthenticator)
            {
                // Ours is written first; a caller's would be a second one.
                continue;
            }
            else if (attribute.Type == RadiusAttributeType.UserPassword && !hidePasswordWith.IsEmpty)
            {
                var hiddenLength = RadiusAuthenticators.HiddenPasswordLength(attribute.Value.Length);
                var target = Reserve(destination, limit, ref offset, RadiusConstants.AttributeHeaderLength + hiddenLength);
                target[0] = attribute.Type;
                target[1] = (byte)target.Length;
                RadiusAuthenticators.HidePassword(attribute.Value.Span, secret, hidePasswordWith, target[RadiusConstants.AttributeHeaderLength..]);
            }
            else
            {
                WritePlain(destination, limit, ref offset, attribute.Type, attribute.Value.Span);
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[RadiusConstants.LengthOffset..], (ushort)offset);
        return offset;
    }

    private static void WritePlain(Span<byte> destination, int limit, ref int offset, byte type, ReadOnlySpan<byte> value)
    {
        if (value.Length > RadiusConstants.MaxAttributeValueLength)
        {
            throw new ArgumentException($"Attribute {type} has {value.Length} octets; at most {RadiusConstants.MaxAttributeValueLength} fit.");
        }

        var target = Reserve(destination, limit, ref offset, RadiusConstants.AttributeHeaderLength + value.Length);
        target[0] = type;
        target[1] = (byte)target.Length;
        value.CopyTo(target[RadiusConstants.AttributeHeaderLength..]);
    }

    /// <summary>One Vendor-Specific attribute per sub-attribute (RFC 2865 5.26), the form every server accepts.</summary>
    private static void WriteVendor(Span<byte> destination, int limit, ref int offset, RadiusAttribute attribute)
    {
        var value = attribute.Value.Span;
        if (value.Length > RadiusConstants.MaxVendorValueLength)
        {
            throw new ArgumentException($"Vendor attribute {attribute.VendorId}:{attribute.VendorType} has {value.Length} octets; at most {RadiusConstants.MaxVendorValueLength} fit.");
        }

        var subLength = RadiusConstants.VendorSubAttributeHeaderLength + value.Length;
        var target = Reserve(destination, limit, ref offset, RadiusConstants.VendorSpecificHeaderLength + subLength);
        target[0] = RadiusAttributeType.VendorSpecific;
        target[1] = (byte)target.Length;
        BinaryPrimitives.WriteUInt32BigEndian(target[RadiusConstants.AttributeHeaderLength..], attribute.VendorId);
        var sub = target[RadiusConstants.VendorSpecificHeaderLength..];
        sub[0] = attribute.VendorType;
        sub[1] = (byte)subLength;
        value.CopyTo(sub[RadiusConstants.VendorSubAttributeHeaderLength..]);
    }

    private static Span<byte> Reserve(Span<byte> destination, int limit, ref int offset, int length)
    {
        if (offset + length > limit)
        {
            throw new ArgumentException(limit < RadiusConstants.MaxPacketLength
                ? $"The destination of {destination.Length} octets is too small for the packet."
                : $"The packet exceeds {RadiusConstants.MaxPacketLength} octets.");
        }

        var span = destination.Slice(offset, length);
        offset += length;
        return span;
    }
}
