using System.Security.Cryptography;
using Aether.Radius.Internal;

namespace Aether.Radius;

/// <summary>Outcome of checking a packet's Message-Authenticator.</summary>
public enum MessageAuthenticatorStatus
{
    Absent,
    Valid,
    Invalid,
}

/// <summary>
/// Request and Response Authenticators (RFC 2865 3, RFC 2866 3, RFC 5176 2.3), Message-Authenticator
/// (RFC 3579 3.2, RFC 5176 3.3) and User-Password hiding (RFC 2865 5.2). Secrets are octets (UTF-8 of the
/// configured text). Comparisons are constant-time.
/// </summary>
public static class RadiusAuthenticators
{
    /// <summary>
    /// Checks a response's authenticator: MD5(Code + Identifier + Length + Request Authenticator + Attributes + Secret).
    /// The packet must be framed (see <see cref="RadiusPacket.TryParse"/>).
    /// </summary>
    public static bool VerifyResponse(ReadOnlySpan<byte> response, ReadOnlySpan<byte> requestAuthenticator, ReadOnlySpan<byte> secret)
    {
        if (!IsFramed(response))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[RadiusConstants.AuthenticatorLength];
        ComputeAuthenticator(response, requestAuthenticator, secret, expected);
        return CryptographicOperations.FixedTimeEquals(expected, response.Slice(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength));
    }

    /// <summary>
    /// Checks the Request Authenticator of an Accounting-Request, CoA-Request or Disconnect-Request:
    /// the same MD5 as a response's with 16 zero octets in place of the authenticator (RFC 2866 3, RFC 5176 2.3).
    /// </summary>
    public static bool VerifyRequest(ReadOnlySpan<byte> request, ReadOnlySpan<byte> secret)
    {
        if (!IsFramed(request))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[RadiusConstants.AuthenticatorLength];
        ComputeAuthenticator(request, stackalloc byte[RadiusConstants.AuthenticatorLength], secret, expected);
        return CryptographicOperations.FixedTimeEquals(expected, request.Slice(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength));
    }

    /// <summary>
    /// Checks the Message-Authenticator: HMAC-MD5 keyed with the secret over the packet with the attribute's value
    /// zeroed and <paramref name="authenticator"/> in the authenticator field: the packet's own for Access-Request and
    /// Status-Server, the request's for a response, zeros for Accounting-, CoA- and Disconnect-Request (RFC 3579 3.2, RFC 5176 3.3).
    /// </summary>
    public static MessageAuthenticatorStatus VerifyMessageAuthenticator(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> authenticator, ReadOnlySpan<byte> secret)
    {
        if (!IsFramed(packet))
        {
            return MessageAuthenticatorStatus.Invalid;
        }

        var valueOffset = RadiusPacket.FindMessageAuthenticator(packet);
        if (valueOffset < 0)
        {
            return MessageAuthenticatorStatus.Absent;
        }

        if (valueOffset + RadiusConstants.MessageAuthenticatorLength > packet.Length || packet[valueOffset - 1] != RadiusConstants.MessageAuthenticatorAttributeLength)
        {
            return MessageAuthenticatorStatus.Invalid;
        }

        Span<byte> copy = stackalloc byte[packet.Length];
        packet.CopyTo(copy);
        authenticator.CopyTo(copy[RadiusConstants.AuthenticatorOffset..]);
        copy.Slice(valueOffset, RadiusConstants.MessageAuthenticatorLength).Clear();

        Span<byte> expected = stackalloc byte[RadiusConstants.MessageAuthenticatorLength];
        HMACMD5.HashData(secret, copy, expected);
        return CryptographicOperations.FixedTimeEquals(expected, packet.Slice(valueOffset, RadiusConstants.MessageAuthenticatorLength))
            ? MessageAuthenticatorStatus.Valid
            : MessageAuthenticatorStatus.Invalid;
    }

    /// <summary>Length of a hidden User-Password: a multiple of 16, at least 16 (RFC 2865 5.2).</summary>
    public static int HiddenPasswordLength(int passwordLength) =>
        Math.Max(RadiusConstants.PasswordBlockLength, (passwordLength + RadiusConstants.PasswordBlockLength - 1) / RadiusConstants.PasswordBlockLength * RadiusConstants.PasswordBlockLength);

    /// <summary>Hides a User-Password (RFC 2865 5.2): c(i) = p(i) xor MD5(S + c(i-1)), c(0) = Request Authenticator.</summary>
    /// <returns>Octets written.</returns>
    public static int HidePassword(ReadOnlySpan<byte> password, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> requestAuthenticator, Span<byte> destination)
    {
        if (password.Length > RadiusConstants.MaxPasswordLength)
        {
            throw new ArgumentException($"A User-Password has at most {RadiusConstants.MaxPasswordLength} octets.", nameof(password));
        }

        var length = HiddenPasswordLength(password.Length);
        var output = destination[..length];
        output.Clear();
        password.CopyTo(output);

        Span<byte> block = stackalloc byte[RadiusConstants.PasswordBlockLength];
        var previous = requestAuthenticator;
        for (var offset = 0; offset < length; offset += RadiusConstants.PasswordBlockLength)
        {
            Md5(secret, previous, block);
            var chunk = output.Slice(offset, RadiusConstants.PasswordBlockLength);
            Xor(chunk, block);
            previous = chunk;
        }

        return length;
    }

    /// <summary>Recovers a hidden User-Password, trailing NUL padding removed.</summary>
    /// <returns>False when the hidden value is not a multiple of 16 octets between 16 and 128.</returns>
    public static bool TryUnhidePassword(ReadOnlySpan<byte> hidden, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> requestAuthenticator, Span<byte> destination, out int written)
    {
        written = 0;
        if (hidden.Length is 0 or > RadiusConstants.MaxPasswordLength || hidden.Length % RadiusConstants.PasswordBlockLength != 0 || destination.Length < hidden.Length)
        {
            return false;
        }

        Span<byte> block = stackalloc byte[RadiusConstants.PasswordBlockLength];
        var previous = requestAuthenticator;
        for (var offset = 0; offset < hidden.Length; offset += RadiusConstants.PasswordBlockLength)
        {
            Md5(secret, previous, block);
            var cipher = hidden.Slice(offset, RadiusConstants.PasswordBlockLength);
            var plain = destination.Slice(offset, RadiusConstants.PasswordBlockLength);
            cipher.CopyTo(plain);
            Xor(plain, block);
            previous = cipher;
        }

        written = destination[..hidden.Length].TrimEnd((byte)0).Length;
        return true;
    }

    private static bool IsFramed(ReadOnlySpan<byte> packet) =>
        packet.Length is >= RadiusConstants.HeaderLength and <= RadiusConstants.MaxPacketLength;

    /// <summary>MD5(packet with <paramref name="authenticator"/> in its authenticator field + secret).</summary>
    internal static void ComputeAuthenticator(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> authenticator, ReadOnlySpan<byte> secret, Span<byte> destination)
    {
        var md5 = Hashes.Md5;
        md5.AppendData(packet[..RadiusConstants.AuthenticatorOffset]);
        md5.AppendData(authenticator[..RadiusConstants.AuthenticatorLength]);
        md5.AppendData(packet[RadiusConstants.HeaderLength..]);
        md5.AppendData(secret);
        md5.GetHashAndReset(destination);
    }

    /// <summary>Computes a Message-Authenticator over a packet whose attribute value is zero and authenticator field is set as required.</summary>
    internal static void ComputeMessageAuthenticator(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> secret, Span<byte> destination) =>
        HMACMD5.HashData(secret, packet, destination);

    private static void Md5(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        var md5 = Hashes.Md5;
        md5.AppendData(first);
        md5.AppendData(second);
        md5.GetHashAndReset(destination);
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> mask)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= mask[i];
        }
    }

    private static class Hashes
    {
        [ThreadStatic]
        private static IncrementalHash? s_md5;

        // One reusable hash per thread: the hot path allocates nothing.
        public static IncrementalHash Md5 => s_md5 ??= IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    }
}
