using System.Buffers;
using System.Globalization;
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

// Times travel with microsecond precision, the precision PostgreSQL stores, so an event read back from the log or
// from its JSON compares equal to the one projected.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(MicrosecondTimeConverter)])]
[JsonSerializable(typeof(AetherEvent))]
internal sealed partial class AetherEventJsonContext : JsonSerializerContext;

/// <summary>ISO 8601 with at most six fractional digits; finer ticks are truncated on write and on read.</summary>
internal sealed class MicrosecondTimeConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Truncate(reader.GetDateTimeOffset());

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<char> buffer = stackalloc char[40];
        if (!Truncate(value).TryFormat(buffer, out var written, Format, CultureInfo.InvariantCulture))
        {
            throw new JsonException("A time did not fit its format.");
        }

        writer.WriteStringValue(buffer[..written]);
    }

    internal static DateTimeOffset Truncate(DateTimeOffset value) =>
        value.AddTicks(-(value.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
}
