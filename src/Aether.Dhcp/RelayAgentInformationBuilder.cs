namespace Aether.Dhcp;

/// <summary>Builds an option 82 value from sub-options (RFC 3046 section 2.0), for <see cref="DhcpMessage"/>.</summary>
public static class RelayAgentInformationBuilder
{
    private const int SubOptionHeaderLength = 2;

    /// <summary>Concatenates code, length, value for each sub-option, in order. Each value holds at most 255 octets.</summary>
    public static byte[] Build(params (byte Code, byte[] Value)[] subOptions)
    {
        ArgumentNullException.ThrowIfNull(subOptions);
        int length = 0;
        foreach (var (code, value) in subOptions)
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length > byte.MaxValue)
            {
                throw new ArgumentException($"Sub-option {code} has {value.Length} octets; at most {byte.MaxValue} fit.", nameof(subOptions));
            }

            length += SubOptionHeaderLength + value.Length;
        }

        var result = new byte[length];
        int position = 0;
        foreach (var (code, value) in subOptions)
        {
            result[position] = code;
            result[position + 1] = (byte)value.Length;
            value.CopyTo(result, position + SubOptionHeaderLength);
            position += SubOptionHeaderLength + value.Length;
        }

        return result;
    }
}
