namespace Aether.Dhcp.Internal;

internal static class OptionWriter
{
    /// <summary>
    /// Writes <paramref name="value"/> as instances of <paramref name="code"/> of at most 255 octets each
    /// (RFC 3396 section 5); nothing for an empty value. Returns the position after the last instance.
    /// </summary>
    public static int WriteSplit(Span<byte> destination, int position, byte code, ReadOnlySpan<byte> value)
    {
        while (!value.IsEmpty)
        {
            int chunk = Math.Min(value.Length, BootpLayout.MaxOptionValueLength);
            destination[position] = code;
            destination[position + 1] = (byte)chunk;
            value[..chunk].CopyTo(destination[(position + BootpLayout.OptionHeaderLength)..]);
            position += BootpLayout.OptionHeaderLength + chunk;
            value = value[chunk..];
        }

        return position;
    }
}
