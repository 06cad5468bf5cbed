using System.Buffers.Binary;

namespace Aether.Dhcp.Internal;

/// <summary>The Internet checksum: ones' complement of the ones' complement sum of 16-bit words (RFC 1071).</summary>
internal static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> to a running sum; an odd trailing octet is padded with zero.</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        // 32-bit words summed into 64 bits defer the end-around carries to Complete (RFC 1071 section 2(B)).
        while (data.Length >= sizeof(ulong))
        {
            ulong words = BinaryPrimitives.ReadUInt64BigEndian(data);
            sum += (words >> 32) + (uint)words;
            data = data[sizeof(ulong)..];
        }

        while (data.Length >= sizeof(uint))
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data);
            data = data[sizeof(uint)..];
        }

        if (data.Length >= sizeof(ushort))
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data);
            data = data[sizeof(ushort)..];
        }

        if (!data.IsEmpty)
        {
            sum += (uint)data[0] << 8;
        }

        return sum;
    }

    /// <summary>Folds the carries and complements: the value to store in a checksum field.</summary>
    public static ushort Complete(ulong sum)
    {
        while (sum > ushort.MaxValue)
        {
            sum = (sum & ushort.MaxValue) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
