using System.Text;
using Aether.Radius.Internal;
using CsCheck;

namespace Aether.Radius.Tests.Codec;

public sealed class RadiusCodecPropertyTests
{
    private const int FuzzInputs = 200_000;
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("property-secret");

    private static readonly Gen<RadiusAttribute> GenPlain =
        Gen.Select(
            Gen.Byte.Where(t => t is not (RadiusAttributeType.VendorSpecific or RadiusAttributeType.MessageAuthenticator or RadiusAttributeType.UserPassword)),
            Gen.Byte.Array[0, RadiusConstants.MaxAttributeValueLength],
            (type, value) => new RadiusAttribute(type, value));

    private static readonly Gen<RadiusAttribute> GenVendor =
        Gen.Select(Gen.UInt[1, uint.MaxValue], Gen.Byte, Gen.Byte.Array[0, RadiusConstants.MaxVendorValueLength], (vendorId, type, value) => RadiusAttribute.Vendor(vendorId, type, value));

    private static readonly Gen<List<RadiusAttribute>> GenAttributes =
        Gen.Frequency((3, GenPlain), (1, GenVendor)).List[0, 15];

    private static readonly Gen<RadiusCode> GenRequestCode =
        Gen.OneOf(RadiusCode.AccessRequest, RadiusCode.AccountingRequest, RadiusCode.CoaRequest, RadiusCode.DisconnectRequest, RadiusCode.StatusServer);

    private static readonly Gen<RadiusCode> GenResponseCode =
        Gen.OneOf(RadiusCode.AccessAccept, RadiusCode.AccessReject, RadiusCode.AccessChallenge, RadiusCode.AccountingResponse, RadiusCode.CoaAck, RadiusCode.CoaNak, RadiusCode.DisconnectAck, RadiusCode.DisconnectNak);

    [Fact]
    public void An_encoded_request_decodes_to_the_same_packet_and_verifies()
    {
        Gen.Select(GenRequestCode, Gen.Byte, GenAttributes).Sample((code, identifier, attributes) =>
        {
            var buffer = new byte[RadiusConstants.MaxPacketLength];
            var length = RadiusPacketWriter.WriteRequest(buffer, code, identifier, attributes, Secret);
            var wire = buffer.AsSpan(0, length);

            Assert.True(RadiusPacket.TryParse(wire, out var packet, out var error), error.ToString());
            Assert.Equal((code, identifier), (packet.Code, packet.Identifier));
            Assert.Equal(RadiusAttributeType.MessageAuthenticator, packet.Attributes[0].Type);
            Assert.Equal(attributes, packet.Attributes.Skip(1));
            var maAuthenticator = RadiusPacketWriter.HasRandomAuthenticator(code) ? packet.Authenticator.ToArray() : new byte[16];
            Assert.Equal(MessageAuthenticatorStatus.Valid, RadiusAuthenticators.VerifyMessageAuthenticator(wire, maAuthenticator, Secret));
            Assert.True(RadiusPacketWriter.HasRandomAuthenticator(code) || RadiusAuthenticators.VerifyRequest(wire, Secret));
        }, iter: 2_000);
    }

    [Fact]
    public void An_encoded_response_decodes_to_the_same_packet_and_verifies()
    {
        Gen.Select(GenResponseCode, Gen.Byte, Gen.Byte.Array[16], GenAttributes).Sample((code, identifier, requestAuthenticator, attributes) =>
        {
            var buffer = new byte[RadiusConstants.MaxPacketLength];
            var length = RadiusPacketWriter.WriteResponse(buffer, code, identifier, requestAuthenticator, attributes, Secret);
            var wire = buffer.AsSpan(0, length);

            Assert.True(RadiusPacket.TryParse(wire, out var packet, out _));
            Assert.Equal((code, identifier), (packet.Code, packet.Identifier));
            Assert.Equal(attributes, packet.Attributes.Skip(1));
            Assert.True(RadiusAuthenticators.VerifyResponse(wire, requestAuthenticator, Secret));
            Assert.Equal(MessageAuthenticatorStatus.Valid, RadiusAuthenticators.VerifyMessageAuthenticator(wire, requestAuthenticator, Secret));
        }, iter: 2_000);
    }

    [Fact]
    public void A_hidden_password_unhides_to_itself()
    {
        // Trailing NULs are padding by definition (RFC 2865 5.2), so generated passwords end in another octet.
        var genPassword = Gen.Byte.Array[0, RadiusConstants.MaxPasswordLength].Where(p => p.Length == 0 || p[^1] != 0);
        Gen.Select(genPassword, Gen.Byte.Array[1, 64], Gen.Byte.Array[16]).Sample((password, secret, authenticator) =>
        {
            var hidden = new byte[RadiusConstants.MaxPasswordLength];
            var clear = new byte[RadiusConstants.MaxPasswordLength];

            var length = RadiusAuthenticators.HidePassword(password, secret, authenticator, hidden);

            Assert.True(RadiusAuthenticators.TryUnhidePassword(hidden.AsSpan(0, length), secret, authenticator, clear, out var written));
            Assert.Equal(password, clear[..written]);
        }, iter: 2_000);
    }

    [Fact]
    public void The_parser_returns_a_typed_result_for_any_input()
    {
        var genRandom = Gen.Byte.Array[0, 300];
        var genMutated = Gen.Select(GenResponseCode, GenAttributes, Gen.Int[0, 4095], Gen.Byte, Gen.Int[0, 3]).Select((code, attributes, position, value, mutation) =>
        {
            var buffer = new byte[RadiusConstants.MaxPacketLength];
            var length = RadiusPacketWriter.WriteResponse(buffer, code, 1, new byte[16], attributes, Secret);
            var at = position % length;
            switch (mutation)
            {
                case 0:
                    buffer[at] = value;
                    return buffer[..length];
                case 1:
                    return buffer[..at];
                case 2:
                    // Lie in the length field.
                    buffer[RadiusConstants.LengthOffset] = (byte)(position >> 8);
                    buffer[RadiusConstants.LengthOffset + 1] = value;
                    return buffer[..length];
                default:
                    // Corrupt an attribute length byte near the position.
                    buffer[Math.Max(RadiusConstants.HeaderLength + 1, at)] = value;
                    return buffer[..length];
            }
        });

        Gen.Frequency((1, genRandom), (1, genMutated)).Sample(data =>
        {
            // The verifiers are public too: any octets give an answer, never an exception.
            _ = RadiusAuthenticators.VerifyRequest(data, Secret);
            _ = RadiusAuthenticators.VerifyMessageAuthenticator(data, new byte[16], Secret);
            if (RadiusPacket.TryParse(data, out var packet, out var error))
            {
                Assert.Equal(RadiusParseError.None, error);
                Assert.InRange(packet.Raw.Length, RadiusConstants.HeaderLength, Math.Min(data.Length, RadiusConstants.MaxPacketLength));
                _ = RadiusAuthenticators.VerifyResponse(packet.Raw.Span, new byte[16], Secret);
                _ = RadiusAuthenticators.VerifyMessageAuthenticator(packet.Raw.Span, new byte[16], Secret);
            }
            else
            {
                Assert.Null(packet);
                Assert.NotEqual(RadiusParseError.None, error);
            }
        }, iter: FuzzInputs);
    }
}
