using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Aether.Dhcp;

/// <summary>An IPv4 address as a host-order <see cref="uint"/>; a value type so the hot path never allocates.</summary>
public readonly record struct Ipv4Address(uint Value) : ISpanFormattable, ISpanParsable<Ipv4Address>, IComparable<Ipv4Address>
{
    public const int Length = 4;

    /// <summary>Longest dotted quad, "255.255.255.255".</summary>
    public const int MaxStringLength = 15;

    public static readonly Ipv4Address Any = new(0);
    public static readonly Ipv4Address Broadcast = new(uint.MaxValue);

    public bool IsAny => Value == 0;

    public static Ipv4Address Read(ReadOnlySpan<byte> networkOrder4Bytes) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(networkOrder4Bytes));

    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[Length];
        Write(bytes);
        return new IPAddress(bytes);
    }

    public static Ipv4Address FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[Length];
        _ = address.TryWriteBytes(bytes, out _);
        return Read(bytes);
    }

    public static Ipv4Address Parse(string s) => Parse(s.AsSpan());

    public static Ipv4Address Parse(ReadOnlySpan<char> s) =>
        TryParse(s, out var address) ? address : throw new FormatException($"'{s}' is not a dotted-quad IPv4 address.");

    public static bool TryParse([NotNullWhen(true)] string? s, out Ipv4Address address) => TryParse(s.AsSpan(), out address);

    /// <summary>Strict dotted quad: four decimal octets of one to three digits, nothing else.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Ipv4Address address)
    {
        address = default;
        uint value = 0;
        int octets = 0;
        int i = 0;
        while (octets < Length)
        {
            int start = i;
            uint octet = 0;
            while (i < s.Length && i - start < 3 && char.IsAsciiDigit(s[i]))
            {
                octet = (octet * 10) + (uint)(s[i] - '0');
                i++;
            }

            if (i == start || octet > byte.MaxValue)
            {
                return false;
            }

            value = (value << 8) | octet;
            octets++;
            if (octets < Length)
            {
                if (i >= s.Length || s[i] != '.')
                {
                    return false;
                }

                i++;
            }
        }

        if (i != s.Length)
        {
            return false;
        }

        address = new Ipv4Address(value);
        return true;
    }

    public override string ToString()
    {
        Span<char> buffer = stackalloc char[MaxStringLength];
        _ = TryFormat(buffer, out int written);
        return new string(buffer[..written]);
    }

    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            if (!((byte)(Value >> shift)).TryFormat(destination[charsWritten..], out int n, default, CultureInfo.InvariantCulture))
            {
                charsWritten = 0;
                return false;
            }

            charsWritten += n;
            if (shift > 0)
            {
                if (charsWritten >= destination.Length)
                {
                    charsWritten = 0;
                    return false;
                }

                destination[charsWritten++] = '.';
            }
        }

        return true;
    }

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    static Ipv4Address IParsable<Ipv4Address>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<Ipv4Address>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Ipv4Address result) =>
        TryParse(s, out result);

    static Ipv4Address ISpanParsable<Ipv4Address>.Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    static bool ISpanParsable<Ipv4Address>.TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out Ipv4Address result) =>
        TryParse(s, out result);

    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);

    public static bool operator <(Ipv4Address left, Ipv4Address right) => left.Value < right.Value;

    public static bool operator >(Ipv4Address left, Ipv4Address right) => left.Value > right.Value;

    public static bool operator <=(Ipv4Address left, Ipv4Address right) => left.Value <= right.Value;

    public static bool operator >=(Ipv4Address left, Ipv4Address right) => left.Value >= right.Value;
}
