using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using GraphQL;

namespace Aether.GraphQL.Internal.Data;

/// <summary>Opaque keyset cursors: base64url of a JSON array of strings (the sort key of the last row).</summary>
internal static class Cursor
{
    public static string Encode(params ReadOnlySpan<string> parts)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var part in parts)
            {
                writer.WriteStringValue(part);
            }

            writer.WriteEndArray();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    /// <exception cref="ExecutionError">BAD_USER_INPUT: not a cursor of this list.</exception>
    public static string[] Decode(string cursor, int count, string list)
    {
        try
        {
            var json = Base64Url.DecodeFromChars(cursor);
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() == count)
            {
                var parts = new string[count];
                var i = 0;
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.String)
                    {
                        throw Invalid(list);
                    }

                    parts[i++] = element.GetString()!;
                }

                return parts;
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }

        throw Invalid(list);
    }

    public static ExecutionError Invalid(string list) =>
        ErrorCodes.BadInput($"'after' is not a cursor of this {list} list (cursors are only valid with the same orderBy).");
}
