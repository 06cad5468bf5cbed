using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aether.Events;

/// <summary>The wire form of <see cref="AetherEvent"/>: UTF-8 JSON with snake_case names, null members left out.</summary>
public static class AetherEventJson
{
    public static byte[] Serialize(AetherEvent value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, AetherEventJsonContext.Default.AetherEvent);

    public static void Serialize(AetherEvent value, IBufferWriter<byte> destination)
    {
        using var writer = new Utf8JsonWriter(destination);
        JsonSerializer.Serialize(writer, value, AetherEventJsonContext.Default.AetherEvent);
    }

    /// <exception cref="JsonException">The input is not an event (malformed JSON, a required member missing, or null).</exception>
    public static AetherEvent Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, AetherEventJsonContext.Default.AetherEvent)
        ?? throw new JsonException("The event is null.");
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AetherEvent))]
internal sealed partial class AetherEventJsonContext : JsonSerializerContext;
