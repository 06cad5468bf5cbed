using System.Buffers;
using System.Text;
using System.Text.Json;
using Aether.Dhcp;

namespace Aether.Agent.Kernel;

/// <summary>
/// Reads the elements of `nft -j list set` as they stream in: each address with its counter, through a small
/// buffer. At 50,000 sessions a set is about 4 MB of JSON; read whole (a string, then a document) every counter
/// sweep and every batch with a removal, it left tens of MB of large buffers behind each time.
/// </summary>
internal static class NftSetReader
{
    private const int InitialBuffer = 64 * 1024;
    private static readonly byte[] Val = "val"u8.ToArray();
    private static readonly byte[] Packets = "packets"u8.ToArray();
    private static readonly byte[] Bytes = "bytes"u8.ToArray();

    /// <summary>Calls <paramref name="element"/> for every element that has an IPv4 address and a counter.</summary>
    public static async Task ReadAsync(Stream json, Action<Ipv4Address, ulong, ulong> element, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var state = new JsonReaderState();
        var cursor = new Cursor();
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    // One token longer than the buffer (never for nft's output, but not an error either).
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await json.ReadAsync(buffer.AsMemory(length), cancellationToken);
                length += read;
                var final = read == 0;
                var consumed = Parse(buffer.AsSpan(0, length), final, ref state, ref cursor, element);
                if (final)
                {
                    return;
                }
                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the complete tokens in <paramref name="data"/>; returns the bytes consumed.</summary>
    private static int Parse(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, ref Cursor cursor, Action<Ipv4Address, ulong, ulong> element)
    {
        var reader = new Utf8JsonReader(data, final, state);
        try
        {
            while (reader.Read())
            {
                var property = Property.None;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.ValueTextEquals(Val) ? Property.Val
                            : reader.ValueTextEquals(Packets) ? Property.Packets
                            : reader.ValueTextEquals(Bytes) ? Property.Bytes
                            : Property.None;
                        break;
                    // {"elem": {"val": "100.64.0.2", "counter": {"packets": 0, "bytes": 0}}}
                    case JsonTokenType.String when cursor.Last == Property.Val:
                        cursor = new Cursor { Ip = ParseAddress(reader.ValueSpan) };
                        break;
                    case JsonTokenType.Number when cursor.Last == Property.Packets && cursor.Ip is not null:
                        cursor.Packets = reader.GetUInt64();
                        break;
                    case JsonTokenType.Number when cursor.Last == Property.Bytes && cursor.Ip is not null:
                        cursor.Bytes = reader.GetUInt64();
                        break;
                }
                cursor.Last = property;
                if (cursor is { Ip: { } ip, Packets: { } packets, Bytes: { } bytes })
                {
                    element(ip, packets, bytes);
                    cursor = default;
                }
            }
        }
        catch (JsonException) when (final)
        {
            // A truncated document (nft killed): what was read stands.
        }
        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    private static Ipv4Address? ParseAddress(ReadOnlySpan<byte> utf8)
    {
        Span<char> text = stackalloc char[Ipv4Address.MaxStringLength];
        return utf8.Length <= Ipv4Address.MaxStringLength && Encoding.ASCII.TryGetChars(utf8, text, out var written)
            && Ipv4Address.TryParse(text[..written], out var ip) ? ip : null;
    }

    private enum Property
    {
        None,
        Val,
        Packets,
        Bytes,
    }

    private struct Cursor
    {
        public Property Last;
        public Ipv4Address? Ip;
        public ulong? Packets;
        public ulong? Bytes;
    }
}
