namespace Aether.Dhcp.Internal;

/// <summary>Builds the option 82 value a relay forwards, from the incoming one and the rewrite policy (RFC 3046 section 2.1).</summary>
internal static class RelayAgentComposer
{
    private const int SubOptionHeaderLength = 2;

    public static void Validate(scoped in RelayRewrite rewrite)
    {
        ValidateSubOption(rewrite.CircuitId, nameof(RelayRewrite.CircuitId));
        ValidateSubOption(rewrite.RemoteId, nameof(RelayRewrite.RemoteId));
        ValidateSubOption(rewrite.RelayId, nameof(RelayRewrite.RelayId));
    }

    /// <summary>
    /// <paramref name="result"/> is the value to forward (empty: no option 82); <paramref name="fallback"/> is what to
    /// forward when ours does not fit (RFC 3046 section 2.1): the incoming value where the policy keeps it, else nothing.
    /// False when the incoming value must be edited but its sub-options are malformed.
    /// </summary>
    public static bool TryCompose(
        scoped in RelayRewrite rewrite,
        bool hasIncoming,
        ReadOnlySpan<byte> incoming,
        Span<byte> scratch,
        out ReadOnlySpan<byte> result,
        out ReadOnlySpan<byte> fallback)
    {
        result = default;
        fallback = default;
        switch (rewrite.Policy)
        {
            case Option82Policy.Strip:
                return true;

            case Option82Policy.Replace:
            case Option82Policy.Insert when !hasIncoming:
                result = scratch[..WriteOurs(rewrite, scratch)];
                return true;

            default:
                // Keep, or Insert with one present: forward it, with only our relay-id added or replaced.
                fallback = incoming;
                if (rewrite.RelayId.IsEmpty)
                {
                    result = incoming;
                    return true;
                }

                if (!TryMergeRelayId(incoming, rewrite.RelayId, scratch, out int length))
                {
                    return false;
                }

                result = scratch[..length];
                return true;
        }
    }

    private static int WriteOurs(scoped in RelayRewrite rewrite, Span<byte> destination)
    {
        int position = WriteSubOption(destination, 0, RelayAgentSubOption.CircuitId, rewrite.CircuitId);
        position = WriteSubOption(destination, position, RelayAgentSubOption.RemoteId, rewrite.RemoteId);
        return WriteSubOption(destination, position, RelayAgentSubOption.RelayId, rewrite.RelayId);
    }

    private static bool TryMergeRelayId(ReadOnlySpan<byte> incoming, ReadOnlySpan<byte> relayId, Span<byte> destination, out int length)
    {
        length = 0;
        int position = 0;
        var reader = new SubOptionReader(incoming);
        while (reader.MoveNext())
        {
            if (reader.Code == RelayAgentSubOption.RelayId)
            {
                continue;
            }

            if (reader.EncodedLength > destination.Length - position)
            {
                return false;
            }

            position = CopySubOption(destination, position, reader.Code, reader.Value);
        }

        if (reader.Malformed || SubOptionHeaderLength + relayId.Length > destination.Length - position)
        {
            return false;
        }

        length = WriteSubOption(destination, position, RelayAgentSubOption.RelayId, relayId);
        return true;
    }

    /// <summary>Writes one of our sub-options; an empty one is left out.</summary>
    private static int WriteSubOption(Span<byte> destination, int position, byte code, ReadOnlySpan<byte> value) =>
        value.IsEmpty ? position : CopySubOption(destination, position, code, value);

    private static int CopySubOption(Span<byte> destination, int position, byte code, ReadOnlySpan<byte> value)
    {
        destination[position] = code;
        destination[position + 1] = (byte)value.Length;
        value.CopyTo(destination[(position + SubOptionHeaderLength)..]);
        return position + SubOptionHeaderLength + value.Length;
    }

    private static void ValidateSubOption(ReadOnlySpan<byte> value, string name)
    {
        if (value.Length > byte.MaxValue)
        {
            throw new ArgumentException($"A relay agent sub-option holds at most {byte.MaxValue} octets; {name} has {value.Length}.", name);
        }
    }
}
