using System.Buffers;
using System.Net;
using System.Text;
using Aether.Radius.Internal;

namespace Aether.Radius.Tests.Codec;

public sealed class RadiusCodecTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("xyzzy5461");

    // RFC 2865 7.1: the Access-Request of user nemo, password arctangent, and its Access-Accept.
    private static readonly byte[] Rfc2865Request = Convert.FromHexString(
        "01000038" + "0f403f9473978057bd83d5cb98f4227a" + "01066e656d6f" + "02120dbe708d93d413ce3196e43f782a0aee" + "0406c0a80110" + "050600000003");

    private static readonly byte[] Rfc2865RequestAuthenticator = Convert.FromHexString("0f403f9473978057bd83d5cb98f4227a");

    private static readonly byte[] Rfc2865Accept = Convert.FromHexString("0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103");

    [Fact]
    public void The_rfc_2865_password_is_hidden_as_the_rfc_shows()
    {
        var hidden = new byte[16];

        var written = RadiusAuthenticators.HidePassword("arctangent"u8, Secret, Rfc2865RequestAuthenticator, hidden);

        Assert.Equal(16, written);
        Assert.Equal("0dbe708d93d413ce3196e43f782a0aee", Convert.ToHexString(hidden).ToLowerInvariant());
    }

    [Fact]
    public void The_rfc_2865_request_encodes_byte_for_byte_without_message_authenticator()
    {
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        List<RadiusAttribute> attributes =
        [
            RadiusAttribute.FromString(RadiusAttributeType.UserName, "nemo"),
            RadiusAttribute.FromString(RadiusAttributeType.UserPassword, "arctangent"),
            RadiusAttribute.FromIpv4(RadiusAttributeType.NasIpAddress, IPAddress.Parse("192.168.1.16")),
            RadiusAttribute.FromUInt32(RadiusAttributeType.NasPort, 3),
        ];

        var length = RadiusPacketWriter.WriteRequest(buffer, RadiusCode.AccessRequest, 0, Rfc2865RequestAuthenticator, attributes, Secret, includeMessageAuthenticator: false);

        Assert.Equal(Rfc2865Request, buffer[..length]);
    }

    [Fact]
    public void The_rfc_2865_accept_verifies_and_parses()
    {
        Assert.True(RadiusPacket.TryParse(Rfc2865Accept, out var packet, out var error));

        Assert.Equal(RadiusParseError.None, error);
        Assert.Equal(RadiusCode.AccessAccept, packet.Code);
        Assert.Equal(0, packet.Identifier);
        Assert.True(RadiusAuthenticators.VerifyResponse(Rfc2865Accept, Rfc2865RequestAuthenticator, Secret));
        Assert.False(RadiusAuthenticators.VerifyResponse(Rfc2865Accept, new byte[16], Secret));
        Assert.Equal(IPAddress.Parse("192.168.1.3"), packet.Attributes[2].AsIpv4());
    }

    [Fact]
    public void A_hidden_password_is_recovered()
    {
        Assert.True(RadiusPacket.TryParse(Rfc2865Request, out var packet, out _));
        var hidden = packet.Attributes.Single(a => a.Type == RadiusAttributeType.UserPassword).Value.Span;
        var clear = new byte[128];

        Assert.True(RadiusAuthenticators.TryUnhidePassword(hidden, Secret, packet.Authenticator.Span, clear, out var length));

        Assert.Equal("arctangent", Encoding.UTF8.GetString(clear, 0, length));
    }

    [Fact]
    public void Message_authenticator_is_written_first_and_verifies()
    {
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        var length = RadiusPacketWriter.WriteRequest(buffer, RadiusCode.AccessRequest, 5, RadiusRequest.AccessRequest("alice", "pw").Attributes, Secret);
        var packet = buffer.AsSpan(0, length);

        Assert.Equal(RadiusAttributeType.MessageAuthenticator, packet[RadiusConstants.HeaderLength]);
        Assert.Equal(MessageAuthenticatorStatus.Valid, RadiusAuthenticators.VerifyMessageAuthenticator(packet, packet.Slice(4, 16), Secret));
        packet[^1] ^= 1;
        Assert.Equal(MessageAuthenticatorStatus.Invalid, RadiusAuthenticators.VerifyMessageAuthenticator(packet, packet.Slice(4, 16), Secret));
    }

    [Theory]
    [InlineData(RadiusCode.AccountingRequest)]
    [InlineData(RadiusCode.CoaRequest)]
    [InlineData(RadiusCode.DisconnectRequest)]
    public void Accounting_and_dynamic_authorization_requests_carry_the_md5_request_authenticator(RadiusCode code)
    {
        var writer = new ArrayBufferWriter<byte>();

        RadiusPacketWriter.WriteRequest(writer, code, 9, RadiusRequest.AccountingStart("s1").Attributes, Secret);

        Assert.True(RadiusAuthenticators.VerifyRequest(writer.WrittenSpan, Secret));
        Assert.Equal(MessageAuthenticatorStatus.Valid, RadiusAuthenticators.VerifyMessageAuthenticator(writer.WrittenSpan, new byte[16], Secret));
        Assert.False(RadiusAuthenticators.VerifyRequest(writer.WrittenSpan, "other"u8));
    }

    [Fact]
    public void Several_sub_attributes_in_one_vendor_specific_are_split()
    {
        // One VSA, vendor 43242, sub-attributes 1 (20000) and 2 (10000).
        var packet = Convert.FromHexString("02010026" + new string('0', 32) + "1a12" + "0000a8ea" + "010600004e20" + "020600002710");

        Assert.True(RadiusPacket.TryParse(packet, out var parsed, out _));

        Assert.Equal(
            [RadiusAttribute.VendorUInt32(43242, 1, 20000), RadiusAttribute.VendorUInt32(43242, 2, 10000)],
            parsed.Attributes);
    }

    [Fact]
    public void A_vendor_specific_not_in_the_common_format_is_kept_opaque()
    {
        // Vendor 4846 (Lucent) uses two-octet types: not splittable as 1,1.
        var packet = Convert.FromHexString("02010020" + new string('0', 32) + "1a0c" + "000012ee" + "00a005616263");

        Assert.True(RadiusPacket.TryParse(packet, out var parsed, out _));

        var attribute = Assert.Single(parsed.Attributes);
        Assert.Equal((RadiusAttributeType.VendorSpecific, 0u), (attribute.Type, attribute.VendorId));
        Assert.Equal(10, attribute.Value.Length);
    }

    [Fact]
    public void A_tagged_tunnel_attribute_is_kept_opaque()
    {
        // Tunnel-Type (64) tag 1 value VLAN (13).
        var packet = Convert.FromHexString("0201001a" + new string('0', 32) + "400601" + "00000d");

        Assert.True(RadiusPacket.TryParse(packet, out var parsed, out _));

        Assert.Equal(new RadiusAttribute(64, new byte[] { 1, 0, 0, 13 }), Assert.Single(parsed.Attributes));
    }

    [Fact]
    public void Octets_past_the_length_field_are_padding()
    {
        byte[] padded = [.. Rfc2865Accept, 0xde, 0xad];

        Assert.True(RadiusPacket.TryParse(padded, out var packet, out _));

        Assert.Equal(Rfc2865Accept.Length, packet.Raw.Length);
    }

    [Theory]
    [InlineData("02010013", 19, RadiusParseError.TooShort)]
    [InlineData("02010013", 20, RadiusParseError.InvalidLength)]
    [InlineData("02011001", 4097, RadiusParseError.InvalidLength)]
    [InlineData("02010030", 40, RadiusParseError.Truncated)]
    public void A_bad_header_is_a_typed_error(string header, int size, RadiusParseError expected)
    {
        var data = new byte[size];
        Convert.FromHexString(header).CopyTo(data, 0);

        Assert.False(RadiusPacket.TryParse(data, out var packet, out var error));

        Assert.Null(packet);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("0101", RadiusParseError.InvalidAttributeLength)]
    [InlineData("0109414243", RadiusParseError.InvalidAttributeLength)]
    [InlineData("01", RadiusParseError.InvalidAttributeLength)]
    [InlineData("5003aa", RadiusParseError.InvalidMessageAuthenticator)]
    public void A_bad_attribute_is_a_typed_error(string attributes, RadiusParseError expected)
    {
        var body = Convert.FromHexString(attributes);
        var data = new byte[RadiusConstants.HeaderLength + body.Length];
        data[0] = 2;
        data[3] = (byte)data.Length;
        body.CopyTo(data, RadiusConstants.HeaderLength);

        Assert.False(RadiusPacket.TryParse(data, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Fact]
    public void Two_message_authenticators_are_refused()
    {
        var ma = "5012" + new string('0', 32);
        var data = Convert.FromHexString("02010038" + new string('0', 32) + ma + ma);

        Assert.False(RadiusPacket.TryParse(data, out _, out var error));

        Assert.Equal(RadiusParseError.InvalidMessageAuthenticator, error);
    }

    [Fact]
    public void A_packet_over_4096_octets_is_refused_by_the_writer()
    {
        var attributes = Enumerable.Range(0, 20).Select(_ => RadiusAttribute.FromBytes(RadiusAttributeType.Class, new byte[253])).ToList();
        var buffer = new byte[8192];

        var error = Assert.Throws<ArgumentException>(() => RadiusPacketWriter.WriteRequest(buffer, RadiusCode.AccountingRequest, 1, attributes, Secret));

        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attribute_values_are_bounded()
    {
        Assert.Throws<ArgumentException>(() => RadiusAttribute.FromBytes(RadiusAttributeType.Class, new byte[254]));
        Assert.Throws<ArgumentException>(() => RadiusAttribute.Vendor(1, 1, new byte[248]));
        Assert.Throws<ArgumentException>(() => RadiusAttribute.FromString(RadiusAttributeType.UserPassword, new string('x', 129)));
        Assert.Throws<FormatException>(() => RadiusAttribute.FromString(RadiusAttributeType.FilterId, "abc").AsUInt32());
    }

    [Fact]
    public void Accounting_counters_split_octets_into_gigawords()
    {
        var request = RadiusRequest.AccountingInterim("s1", new AccountingCounters(InputOctets: (3UL << 32) + 7, OutputOctets: 42, InputPackets: 1, OutputPackets: 2, SessionTime: TimeSpan.FromMinutes(2)));

        uint Get(byte type) => request.Attributes.Single(a => a.Type == type).AsUInt32();
        Assert.Equal(7u, Get(RadiusAttributeType.AcctInputOctets));
        Assert.Equal(3u, Get(RadiusAttributeType.AcctInputGigawords));
        Assert.Equal(42u, Get(RadiusAttributeType.AcctOutputOctets));
        Assert.Equal(0u, Get(RadiusAttributeType.AcctOutputGigawords));
        Assert.Equal(120u, Get(RadiusAttributeType.AcctSessionTime));
        Assert.Equal((uint)AcctStatusType.InterimUpdate, Get(RadiusAttributeType.AcctStatusType));
    }
}
