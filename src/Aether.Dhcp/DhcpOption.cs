using System.Buffers.Binary;
using System.Text;

namespace Aether.Dhcp;

/// <summary>
/// One logical option of a <see cref="DhcpMessage"/>: the value is the concatenation of all instances on the wire
/// (RFC 3396), of any length. Equality compares the value's content.
/// </summary>
public readonly record struct DhcpOption(byte Code, byte[] Value)
{
    public static DhcpOption FromByte(byte code, byte value) => new(code, [value]);

    public static DhcpOption FromUInt16(byte code, ushort value)
    {
        var bytes = new byte[sizeof(ushort)];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return new DhcpOption(code, bytes);
    }

    public static DhcpOption FromUInt32(byte code, uint value)
    {
        var bytes = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new DhcpOption(code, bytes);
    }

    public static DhcpOption FromAddresses(byte code, params ReadOnlySpan<Ipv4Address> addresses)
    {
        var bytes = new byte[addresses.Length * Ipv4Address.Length];
        for (int i = 0; i < addresses.Length; i++)
        {
            addresses[i].Write(bytes.AsSpan(i * Ipv4Address.Length));
        }

        return new DhcpOption(code, bytes);
    }

    /// <summary>NVT ASCII text such as host name (12) or message (56), RFC 2132.</summary>
    public static DhcpOption FromString(byte code, string value) => new(code, Encoding.ASCII.GetBytes(value));

    public bool Equals(DhcpOption other) =>
        Code == other.Code && (Value ?? []).AsSpan().SequenceEqual(other.Value ?? []);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Code);
        hash.AddBytes(Value ?? []);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Code}: {Convert.ToHexString(Value ?? [])}";
}
